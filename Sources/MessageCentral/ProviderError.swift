/// A provider call failed: what happened, the provider's code, and whether a
/// later retry by the backend can help.
///
/// Invariant: ``message`` never contains the password, the key, a token, an OTP
/// code or an unmasked phone number; it is safe to log and to publish in
/// `otp.failed.message`.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the call failed; its raw value is the contract's `reason`.
    public var reason: ProviderFailureReason
    /// The provider's body `responseCode` when it had one, else the HTTP status;
    /// `nil` when the last attempt got no answer at all.
    public var providerCode: Int?
    /// A short human-readable explanation, free of secrets.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - reason: Why the call failed.
    ///   - providerCode: The provider's code or HTTP status, if there was an answer.
    ///   - message: A secret-free explanation.
    public init(reason: ProviderFailureReason, providerCode: Int?, message: String) {
        self.reason = reason
        self.providerCode = providerCode
        self.message = message
    }

    /// Whether the backend may usefully try again later (the contract's `retryable`).
    public var retryable: Bool { self.reason.isRetryable }

    /// A low-cardinality label for metrics, e.g. `wrong_otp_provided`.
    public var metricLabel: String { self.reason.metricLabel }

    /// `REASON (code N): message`, safe to log.
    public var description: String {
        let code = self.providerCode.map(String.init) ?? "none"
        return "\(self.reason.rawValue) (code \(code)): \(self.message)"
    }
}

extension ProviderError {
    /// The client gave up on transient failures: the deadline ran out or the
    /// retry policy stopped.
    static func unavailable(lastProviderCode: Int?, message: String) -> ProviderError {
        ProviderError(reason: .providerUnavailable, providerCode: lastProviderCode, message: message)
    }
}
