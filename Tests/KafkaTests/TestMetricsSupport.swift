import Metrics
import MetricsTestKit

/// The process-wide metrics backend for tests: swift-metrics can be bootstrapped only once.
enum SharedTestMetrics {
    static let shared: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    /// The last value of a gauge, or `nil` when it was never recorded.
    static func gauge(_ label: String, _ dimensions: KeyValuePairs<String, String>) -> Double? {
        (try? shared.expectGauge(label, dimensions.map { ($0.key, $0.value) }))?.lastValue
    }
}
