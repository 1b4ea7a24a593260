import Metrics
import NIOConcurrencyHelpers

/// The client's metrics. Dimensions take a fixed, small set of values
/// (operation names and failure labels), never ids, numbers or secrets.
///
/// Timers are kept once made: making one asks the metrics backend to look its family up
/// (hashing and a lock), too much to repeat for every request.
final class ProviderMetrics: Sendable {
    private let timers = NIOLockedValueBox<[String: Metrics.Timer]>([:])

    /// Metric names, fixed so dashboards can rely on them.
    enum Name {
        static let callDuration = "message_central_call_duration_seconds"
        static let tokenFetches = "message_central_token_fetches_total"
        static let retries = "message_central_retries_total"
    }

    /// Records one finished call.
    ///
    /// - Parameters:
    ///   - operation: `send`, `validate` or `warm_up`.
    ///   - outcome: `success` or a ``ProviderError/metricLabel``.
    ///   - duration: Wall time of the whole call, every attempt included.
    func recordCall(operation: String, outcome: String, duration: Duration) {
        let key = operation + "/" + outcome
        let timer = timers.withLockedValue { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: Name.callDuration,
                dimensions: [("operation", operation), ("outcome", outcome)],
                preferredDisplayUnit: .seconds
            )
            timers[key] = timer
            return timer
        }
        timer.record(duration: duration)
    }

    /// Counts one token fetch (one HTTP request to the token endpoint).
    ///
    /// - Parameter outcome: `success` or a ``ProviderError/metricLabel``.
    func recordTokenFetch(outcome: String) {
        Counter(label: Name.tokenFetches, dimensions: [("outcome", outcome)]).increment()
    }

    /// Counts one retry of a transient failure.
    ///
    /// - Parameter operation: `send`, `validate` or `warm_up`.
    func recordRetry(operation: String) {
        Counter(label: Name.retries, dimensions: [("operation", operation)]).increment()
    }
}
