import Metrics
import Prometheus

/// The Prometheus registry and the swift-metrics factory that feeds it, made together so
/// `/metrics` renders exactly what the worker and its libraries record.
///
/// The executable creates one and calls ``bootstrap()`` once, then hands ``registry`` to
/// ``ObservabilityServer``. Tests create their own and use ``factory`` directly (for example
/// `Counter(label:dimensions:factory:)`) instead of bootstrapping the process-wide system.
public struct MetricsSetup: Sendable {
    /// What `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The factory bound to ``registry``, with ``durationBuckets`` for every timer.
    public let factory: PrometheusMetricsFactory

    /// Histogram buckets for timers, 5 ms to 30 s: a provider call normally takes tens to
    /// hundreds of milliseconds, and retries stop at the 30 s provider deadline.
    public static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(30),
    ]

    /// Creates the factory over a registry.
    ///
    /// - Parameter registry: A fresh registry by default, not swift-prometheus's shared default one.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        self.factory = factory
    }

    /// Makes ``factory`` the process-wide swift-metrics backend.
    ///
    /// Call it once, at start, from the executable: swift-metrics traps on a second bootstrap.
    public func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }
}
