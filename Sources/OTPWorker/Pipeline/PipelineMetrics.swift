import Metrics
import OTPEvents
import Primitives

/// The worker's metrics, through swift-metrics (Prometheus in the executable); names and
/// dimensions are listed in ``WorkerMetrics``.
final class PipelineMetrics: Sendable {
    enum Operation: String { case send, validate }

    private let outcomes = Locked<[String: Counter]>([:])
    private let sendTimer = Timer(label: WorkerMetrics.providerRequestDuration, dimensions: [(WorkerMetrics.Dimension.operation, "send")])
    private let validateTimer = Timer(label: WorkerMetrics.providerRequestDuration, dimensions: [(WorkerMetrics.Dimension.operation, "validate")])
    private let inFlightGauge = Gauge(label: WorkerMetrics.inFlight)
    private let pausedGauge = Gauge(label: WorkerMetrics.pausedPartitions)
    private let replays = Counter(label: WorkerMetrics.idempotentReplays)
    private let abandons = Counter(label: WorkerMetrics.abandoned)
    private let publishRetries = Counter(label: WorkerMetrics.publishRetries)

    init() {}

    func outcome(type: String, reason: String?) {
        let reason = reason ?? "none"
        let key = type + "/" + reason
        let counter = outcomes.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: WorkerMetrics.outcomes, dimensions: [(WorkerMetrics.Dimension.type, type), (WorkerMetrics.Dimension.reason, reason)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func outcome(_ output: OTPOutput) {
        switch output {
        case .sent: outcome(type: "otp.sent", reason: nil)
        case .verified: outcome(type: "otp.verified", reason: nil)
        case .failed(let failed): outcome(type: "otp.failed", reason: failed.reason)
        }
    }

    func providerCall(_ operation: Operation, duration: Duration) {
        (operation == .send ? sendTimer : validateTimer).recordNanoseconds(duration.nanoseconds)
    }

    func inFlight(_ count: Int) { inFlightGauge.record(count) }
    func paused(_ count: Int) { pausedGauge.record(count) }
    func replayed() { replays.increment() }
    func abandoned(_ count: Int = 1) { abandons.increment(by: count) }
    func publishRetried() { publishRetries.increment() }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
