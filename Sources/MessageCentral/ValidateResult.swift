/// The provider confirmed the code: `VERIFICATION_COMPLETED`.
public struct ValidateResult: Sendable, Hashable {
    /// The id that was validated: the one sent, not the provider's echo (which it
    /// spells `verficationId` and may format differently).
    public var verificationId: String
    /// The provider's transaction id, often `null`.
    public var transactionId: String?

    /// Creates a validate result.
    ///
    /// - Parameters:
    ///   - verificationId: The id that was sent for validation.
    ///   - transactionId: The provider's transaction id, if any.
    public init(verificationId: String, transactionId: String?) {
        self.verificationId = verificationId
        self.transactionId = transactionId
    }
}
