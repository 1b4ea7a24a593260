/// How a call retries transient failures (5xx, transport errors, timeouts).
///
/// A value, not a loop: ``delay(afterAttempt:using:)`` answers how long to wait
/// before the next attempt, or `nil` to stop. The call's deadline bounds the
/// whole thing whatever the policy says.
public struct RetryPolicy: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case none
        case exponentialJitter(base: Duration, max: Duration, maxAttempts: Int?)
    }

    let kind: Kind

    /// Never retry: the first transient failure ends the call.
    public static let none = RetryPolicy(kind: .none)

    /// Exponential backoff with full jitter: before attempt `n + 1` wait a uniformly
    /// random time in `0 ... min(max, base * 2^(n-1))`.
    ///
    /// Full jitter spreads retries of many callers that failed together, so they
    /// do not return in lock-step.
    ///
    /// - Parameters:
    ///   - base: The ceiling of the first wait; must be positive.
    ///   - max: The largest ceiling; must be at least `base`.
    ///   - maxAttempts: Attempts in total (the first included); `nil` leaves it to the deadline.
    public static func exponentialJitter(
        base: Duration = .milliseconds(50),
        max: Duration = .seconds(2),
        maxAttempts: Int? = nil
    ) -> RetryPolicy {
        precondition(base > .zero, "base must be positive")
        precondition(max >= base, "max must be at least base")
        precondition(maxAttempts.map { $0 >= 1 } ?? true, "maxAttempts must be at least 1")
        return RetryPolicy(kind: .exponentialJitter(base: base, max: max, maxAttempts: maxAttempts))
    }

    /// The largest wait after a failed attempt, before jitter.
    ///
    /// - Parameter attempt: The number of the attempt that failed, from 1.
    /// - Returns: `nil` when the policy allows no further attempt.
    func ceiling(afterAttempt attempt: Int) -> Duration? {
        switch self.kind {
        case .none:
            return nil
        case .exponentialJitter(let base, let max, let maxAttempts):
            if let maxAttempts, attempt >= maxAttempts { return nil }
            // Doubling stops at 2^30 so the multiplication cannot overflow; `max` caps it far earlier.
            let exponent = Swift.min(Swift.max(attempt - 1, 0), 30)
            let grown = base * (1 << exponent)
            return Swift.min(grown, max)
        }
    }

    /// The wait before the next attempt, or `nil` to stop.
    ///
    /// - Parameters:
    ///   - attempt: The number of the attempt that failed, from 1.
    ///   - generator: The source of jitter (seeded in tests).
    /// - Returns: A duration in `0 ... ceiling(afterAttempt:)`, or `nil`.
    func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration? {
        guard let ceiling = self.ceiling(afterAttempt: attempt) else { return nil }
        let (seconds, attoseconds) = ceiling.components
        let ceilingNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard ceilingNanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...ceilingNanoseconds, using: &generator))
    }
}
