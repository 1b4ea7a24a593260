/// Hears what happens inside one provider call: the retries that the call's result hides.
///
/// Set for the task that makes the call, through ``ProviderCallObservation/$observer``, so the
/// ``VerificationProvider`` protocol stays as it is and a caller that does not listen pays one
/// task-local read per retry. The worker's tracing records these as span events.
public protocol ProviderCallObserver: Sendable {
    /// An attempt failed in a way worth another try, which starts after `event.delay`.
    func retrying(_ event: ProviderRetryEvent)
    /// The provider refused the token; a new one is fetched and the call tried once more.
    func tokenRefused(attempt: Int, providerCode: Int)
}

/// One retry of a provider call: which attempt failed, why, and the wait before the next.
/// Holds no request data: no number, no code, no token.
public struct ProviderRetryEvent: Sendable, Hashable {
    /// `send`, `validate`, `warm_up` or `token`.
    public var operation: String
    /// The attempt that failed, from 1.
    public var attempt: Int
    /// Why it failed.
    public var reason: ProviderFailureReason
    /// The provider's code or HTTP status, `nil` when no answer came.
    public var providerCode: Int?
    /// The wait before the next attempt (jittered).
    public var delay: Duration
}

/// Where the observer of the current task's provider calls is set.
public enum ProviderCallObservation {
    /// The observer of provider calls made by the current task (and its child tasks).
    @TaskLocal public static var observer: (any ProviderCallObserver)?
}
