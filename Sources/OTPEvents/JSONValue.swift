/// A parsed JSON value, as small as the decoder needs.
///
/// Numbers keep whether their literal was integral (`4`, `4.0`, `4e0` are; `4.5` is
/// not), which is the distinction JSON Schema's `integer` draws; booleans are never
/// numbers. Foundation's `JSONSerialization` blurs both on Linux (everything is an
/// `NSNumber`), which is why the module parses JSON itself (`JSONParser`).
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string, when this is one.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, when this is one.
    package var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The object as string-to-string, when this is an object whose values are all strings.
    var stringDictionary: [String: String]? {
        guard case .object(let object) = self else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(object.count)
        for (key, value) in object {
            guard case .string(let text) = value else { return nil }
            result[key] = text
        }
        return result
    }

    /// The JSON type name used in error messages ("a string", "null").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
