/// Sends one-time codes and checks them: the provider as the worker sees it.
///
/// Implemented over HTTP by ``MessageCentralClient`` and in memory by
/// ``InMemoryVerificationProvider`` for tests of code that uses it.
///
/// Every method takes a deadline that covers the whole call (all attempts,
/// token fetches and backoff); `nil` means the implementation's default.
/// Errors are typed: each carries a contract `reason`, the provider's code and
/// whether a later retry can help.
public protocol VerificationProvider: Sendable {
    /// Sends a code to a phone number.
    ///
    /// - Parameters:
    ///   - request: Where and how to send.
    ///   - deadline: When to give up; `nil` for the configured default.
    /// - Returns: The verification id and the code's validity; during the provider's
    ///   cool-down, when its 506 names the verification still pending for the number,
    ///   that verification, marked ``SendResult/resumed``.
    /// - Throws: ``ProviderError``; `PROVIDER_UNAVAILABLE` when no usable answer
    ///   came in time, `REQUEST_ALREADY_EXISTS` during the cool-down when the 506
    ///   names no verification.
    func send(_ request: SendRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> SendResult

    /// Checks a submitted code. Succeeds only on `VERIFICATION_COMPLETED`;
    /// `ALREADY_VERIFIED` is an error, so a code cannot be replayed.
    ///
    /// - Parameters:
    ///   - request: The verification id and the submitted code.
    ///   - deadline: When to give up; `nil` for the configured default.
    /// - Returns: The id that was validated.
    /// - Throws: ``ProviderError``, e.g. `WRONG_OTP_PROVIDED`, `VERIFICATION_EXPIRED`.
    func validate(_ request: ValidateRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> ValidateResult

    /// Fetches a token if none is cached (used for readiness).
    ///
    /// - Parameter deadline: When to give up; `nil` for the configured default.
    /// - Throws: ``ProviderError``: `UNAUTHORIZED` when the credentials are
    ///   refused, `PROVIDER_UNAVAILABLE` when the provider cannot be reached.
    func warmUp(deadline: ContinuousClock.Instant?) async throws(ProviderError)

    /// Contacts the provider once, whatever is cached (a fresh token fetch, no retries).
    ///
    /// The worker calls this while it holds consumption after an outage or an auth
    /// failure: a cached token says nothing about whether the provider answers now.
    /// - Parameter deadline: When to give up; `nil` for one request timeout.
    /// - Throws: ``ProviderError``: `UNAUTHORIZED` when the credentials are refused,
    ///   `PROVIDER_UNAVAILABLE` when there is no usable answer.
    func probe(deadline: ContinuousClock.Instant?) async throws(ProviderError)
}
