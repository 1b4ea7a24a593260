/// Why an input record is unreadable: it becomes an `otp.failed` with `stage: decode`
/// and `reason: INVALID_EVENT`, and the record itself goes to `otp.dlq`.
///
/// The error is safe to publish and to log: `message` names the field and the rule
/// it broke but never quotes a value (at most a length), so a submitted code, a phone
/// number or metadata cannot leak through it.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload's JSON field at fault, or `nil` when the whole document is.
    ///
    /// A fault inside `metadata` names `metadata`; a fault in a CloudEvents
    /// structured-mode envelope names the envelope attribute (`data`, `data_base64`).
    public var field: String?
    /// A short machine label from a fixed set (`DecodingRule`), safe as a metric label.
    public var rule: String
    /// A precise, human-readable explanation such as "mobileNumber: must be 4 to 15 ASCII digits".
    public var message: String
    /// The identifiers the record carried, so `otp.failed` can echo them.
    public var partial: PartialIdentifiers

    /// The contract's `reason` for every decoding failure.
    public var reason: String { "INVALID_EVENT" }

    /// The message: it is already free of values.
    public var description: String { message }

    /// Creates an error from its parts.
    public init(field: String?, rule: String, message: String, partial: PartialIdentifiers = PartialIdentifiers()) {
        self.field = field
        self.rule = rule
        self.message = message
        self.partial = partial
    }

    init(field: String?, rule: DecodingRule, _ explanation: String) {
        let subject = field ?? "value"
        self.init(field: field, rule: rule.rawValue, message: "\(subject): \(explanation)")
    }
}

/// The fixed set of labels `EventDecodingError.rule` takes.
///
/// The names follow the JSON Schema keywords that express the same rule in
/// `schemas/*.schema.json`, so a schema validator's verdict and the decoder's can be
/// compared one to one; the document-level ones have no keyword.
public enum DecodingRule: String, Sendable, Hashable, CaseIterable {
    /// The record value is null (a tombstone).
    case nullValue
    /// The record value has zero bytes.
    case emptyValue
    /// The record value is larger than the configured maximum (checked before parsing).
    case tooLarge
    /// The bytes are not UTF-8.
    case invalidUTF8
    /// The text is not JSON.
    case notJSON
    /// The JSON is not an object.
    case notObject
    /// A required field is missing.
    case required
    /// A field has the wrong JSON type (including `null` and non-integral numbers for integers).
    case type
    /// A string does not have the required digits-only shape.
    case pattern
    /// A string is shorter than allowed (in Unicode scalars, as JSON Schema counts).
    case minLength
    /// A string is longer than allowed (in Unicode scalars, as JSON Schema counts).
    case maxLength
    /// A number is below the allowed range.
    case minimum
    /// A number is above the allowed range.
    case maximum
    /// A string is not one of the allowed values.
    case `enum`
    /// A string is not in the required format (RFC 3339 date-time, Base64).
    case format
}
