import Metrics
import Primitives

/// The worker's metrics, through swift-metrics (Prometheus in the executable); names and
/// dimensions are listed in ``WorkerMetrics``.
final class PipelineMetrics: Sendable {
    enum Operation: String { case send, validate }

    private let factory: any MetricsFactory
    private let outcomes = Locked<[String: Counter]>([:])
    private let sendTimer: Timer
    private let validateTimer: Timer
    private let inFlightGauge: Gauge
    private let pausedGauge: Gauge
    private let abandons: Counter
    private let publishRetries: Counter
    private let invalidTraceparents: Counter

    /// - Parameter factory: where the metrics go; the process-wide backend unless a test
    ///   gives its own (a worker's metrics then stay apart from other workers' in one process).
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        sendTimer = Timer(label: WorkerMetrics.providerRequestDuration, dimensions: [(WorkerMetrics.Dimension.operation, "send")], factory: factory)
        validateTimer = Timer(label: WorkerMetrics.providerRequestDuration, dimensions: [(WorkerMetrics.Dimension.operation, "validate")], factory: factory)
        inFlightGauge = Gauge(label: WorkerMetrics.inFlight, factory: factory)
        pausedGauge = Gauge(label: WorkerMetrics.pausedPartitions, factory: factory)
        abandons = Counter(label: WorkerMetrics.abandoned, factory: factory)
        publishRetries = Counter(label: WorkerMetrics.publishRetries, factory: factory)
        invalidTraceparents = Counter(label: WorkerMetrics.traceparentInvalid, factory: factory)
    }

    /// Counts one published outcome (see ``WorkerMetrics/outcomes``).
    func outcome(_ count: RecordPlan.Count) {
        let reason = count.reason ?? "none"
        let key = count.type + "/" + reason + "/" + count.emission.rawValue
        let counter = outcomes.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: WorkerMetrics.outcomes,
                dimensions: [
                    (WorkerMetrics.Dimension.type, count.type), (WorkerMetrics.Dimension.reason, reason),
                    (WorkerMetrics.Dimension.emission, count.emission.rawValue),
                ],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func providerCall(_ operation: Operation, duration: Duration) {
        (operation == .send ? sendTimer : validateTimer).recordNanoseconds(duration.nanoseconds)
    }

    func inFlight(_ count: Int) { inFlightGauge.record(count) }
    func paused(_ count: Int) { pausedGauge.record(count) }
    func abandoned(_ count: Int = 1) { abandons.increment(by: count) }
    func publishRetried() { publishRetries.increment() }
    func traceparentDropped() { invalidTraceparents.increment() }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
