import JSON
/// The identifiers an unreadable input still carried, for `otp.failed` to echo.
///
/// Filled whenever the payload was a JSON object holding these fields as strings,
/// even if some other field (or that very one) broke a rule: the backend needs them
/// to match the failure with its request. Never holds the code.
public struct PartialIdentifiers: Sendable, Hashable {
    /// The `requestId`, when it was a string.
    public var requestId: String?
    /// The `verificationId`, when it was a string.
    public var verificationId: String?
    /// The `submissionId`, when it was a string.
    public var submissionId: String?
    /// The `metadata`, when it was an object of strings.
    public var metadata: [String: String]?

    /// Creates identifiers; all absent by default.
    public init(
        requestId: String? = nil,
        verificationId: String? = nil,
        submissionId: String? = nil,
        metadata: [String: String]? = nil
    ) {
        self.requestId = requestId
        self.verificationId = verificationId
        self.submissionId = submissionId
        self.metadata = metadata
    }
}

extension PartialIdentifiers {
    init(payload: [String: JSONValue]) {
        self.init(
            requestId: payload["requestId"]?.stringValue,
            verificationId: payload["verificationId"]?.stringValue,
            submissionId: payload["submissionId"]?.stringValue,
            metadata: payload["metadata"]?.stringDictionary
        )
    }
}
