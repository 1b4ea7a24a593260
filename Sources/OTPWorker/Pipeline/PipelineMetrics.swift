import Metrics
import OTPEvents
import Synchronization

/// The worker's metrics, through swift-metrics (Prometheus in the executable).
///
/// - `otp_outcomes_total{type,reason}`: outcomes published; `type` is sent, verified, failed or
///   dlq; `reason` is the failure reason, `none` otherwise.
/// - `otp_provider_request_duration_seconds{operation}`: provider calls, all attempts included.
/// - `otp_in_flight`: records admitted and not finished.
/// - `otp_paused_partitions`: partitions held while the provider is out or refuses us.
/// - `otp_idempotent_replays_total`: first outcomes re-emitted for repeated keys.
/// - `otp_abandoned_total`: records left without an outcome, to be read again (revocation, stop).
/// - `otp_publish_retries_total`: outputs the brokers did not acknowledge and that were resent.
final class PipelineMetrics: Sendable {
    enum Operation: String { case send, validate }

    private let outcomes = Mutex<[String: Counter]>([:])
    private let sendTimer = Timer(label: "otp_provider_request_duration_seconds", dimensions: [("operation", "send")])
    private let validateTimer = Timer(label: "otp_provider_request_duration_seconds", dimensions: [("operation", "validate")])
    private let inFlightGauge = Gauge(label: "otp_in_flight")
    private let pausedGauge = Gauge(label: "otp_paused_partitions")
    private let replays = Counter(label: "otp_idempotent_replays_total")
    private let abandons = Counter(label: "otp_abandoned_total")
    private let publishRetries = Counter(label: "otp_publish_retries_total")

    init() {}

    func outcome(type: String, reason: String?) {
        let reason = reason ?? "none"
        let key = type + "/" + reason
        let counter = outcomes.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "otp_outcomes_total", dimensions: [("type", type), ("reason", reason)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    func outcome(_ output: OTPOutput) {
        switch output {
        case .sent: outcome(type: "sent", reason: nil)
        case .verified: outcome(type: "verified", reason: nil)
        case .failed(let failed): outcome(type: "failed", reason: failed.reason)
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
