/// A code the user typed, to check against a verification.
///
/// The code is a ``Secret``: it is redacted wherever the request is described.
public struct ValidateRequest: Sendable, Hashable, CustomStringConvertible {
    /// The id from ``SendResult/verificationId``.
    public var verificationId: String
    /// The code the user submitted.
    public var code: Secret<String>

    /// Creates a validate request.
    ///
    /// - Parameters:
    ///   - verificationId: The id returned by `send`.
    ///   - code: The submitted code, wrapped so that it never reaches a log.
    public init(verificationId: String, code: Secret<String>) {
        self.verificationId = verificationId
        self.code = code
    }

    /// A description with the code redacted.
    public var description: String {
        "ValidateRequest(verificationId: \(self.verificationId), code: \(self.code))"
    }
}
