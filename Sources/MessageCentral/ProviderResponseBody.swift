import JSON
/// A provider answer read leniently: the fields the client needs, whatever
/// their JSON types.
///
/// Invariant: never throws on unexpected shapes; a missing or mistyped field is
/// `nil`, and the interpreter decides what that means.
package struct ProviderResponseBody: Sendable, Hashable {
    /// The top-level members; empty when the body is not a JSON object.
    package let members: [String: JSONValue]
    /// Whether the body was a JSON object at all (false for HTML, text, empty).
    package let isJSONObject: Bool

    /// Reads a body.
    ///
    /// - Parameter bytes: The raw response body.
    package init(bytes: some Collection<UInt8>) {
        if let members = JSONValue(parsing: bytes)?.objectValue {
            self.members = members
            self.isJSONObject = true
        } else {
            self.members = [:]
            self.isJSONObject = false
        }
    }

    /// The `data` object; `nil` when absent, `null` or not an object.
    package var data: [String: JSONValue]? { self.members["data"]?.objectValue }

    /// Top-level `responseCode`.
    package var responseCode: Int? { self.members["responseCode"]?.lenientInt }

    /// `data.responseCode` (a string in the documented examples).
    package var dataResponseCode: Int? { self.data?["responseCode"]?.lenientInt }

    /// The token endpoint's `status`.
    package var status: Int? { self.members["status"]?.lenientInt }

    /// The token endpoint's `token`; `nil` when absent, `null` or empty.
    package var token: String? { self.members["token"]?.lenientString }

    /// `data.verificationId`, or the validate response's spelling `data.verficationId`.
    package var verificationId: String? {
        self.data?["verificationId"]?.lenientString ?? self.data?["verficationId"]?.lenientString
    }

    /// `data.timeout` in seconds (a string such as `"60"` in the documented examples).
    package var timeoutSeconds: Int? { self.data?["timeout"]?.lenientInt }

    /// `data.transactionId`; often `null`.
    package var transactionId: String? { self.data?["transactionId"]?.lenientString }

    /// `data.verificationStatus`, e.g. `VERIFICATION_COMPLETED`.
    package var verificationStatus: String? { self.data?["verificationStatus"]?.lenientString }

    /// Whether the body looks like a Spring "Whitelabel Error Page" (a wrong path or host).
    static func isWhitelabelPage(_ bytes: some Collection<UInt8>) -> Bool {
        let prefix = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return prefix.contains("Whitelabel Error Page")
    }
}
