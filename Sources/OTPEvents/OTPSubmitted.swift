/// A decoded `otp.submitted`: the user typed a code and the backend wants it checked.
///
/// The code is a secret until it is verified: this type's `description`,
/// `debugDescription` and `Mirror` (hence `print`, `dump`, string interpolation and
/// log metadata built from them) never show it. See `OTPSubmitted+Redaction.swift`.
public struct OTPSubmitted: Sendable, Hashable {
    /// The provider's verification id, from `otp.sent`.
    public var verificationId: String
    /// The code the user typed, 4 to 8 ASCII digits. Never log it.
    public var code: String
    /// The request this submission belongs to, echoed when given.
    public var requestId: String?
    /// The idempotency key of this attempt, echoed when given.
    public var submissionId: String?
    /// Opaque backend data, echoed unchanged on every result.
    public var metadata: [String: String]?

    /// Creates a submission; callers outside the decoder must keep the contract's rules themselves.
    public init(
        verificationId: String,
        code: String,
        requestId: String? = nil,
        submissionId: String? = nil,
        metadata: [String: String]? = nil
    ) {
        self.verificationId = verificationId
        self.code = code
        self.requestId = requestId
        self.submissionId = submissionId
        self.metadata = metadata
    }
}
