/// A parsed JSON value: the one representation the package's modules read JSON into.
///
/// Numbers keep their literal's kind: an integral literal that fits `Int64` is `.integer`
/// (ids above 2^53 keep every digit), anything else `.double`. Booleans are never numbers.
/// Foundation's `JSONSerialization` blurs both on Linux (everything is an `NSNumber`).
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one complete document; nil when the bytes are not exactly one JSON value.
    @inlinable
    package init?(parsing bytes: some Collection<UInt8>) {
        // Arrays and NIO's byte buffer views are contiguous: parsed in place, not copied.
        let parsed = bytes.withContiguousStorageIfAvailable { try? JSONParser.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { try? JSONParser.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The string, when this is one.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object (`nil` for anything else, `null` included).
    package var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, when this is one.
    package var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// An integral number as an `Int`: `4`, and also `4.0` and `4e0` (JSON Schema's `integer`).
    package var integralValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// The JSON type's name as error messages say it ("a string", "null").
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// JSON has one number type: `4` and `4.0` are the same value, whichever case holds them.
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.integer(let left), .integer(let right)): left == right
        case (.double(let left), .double(let right)): left == right
        case (.integer(let integer), .double(let double)), (.double(let double), .integer(let integer)):
            Int64(exactly: double) == integer
        case (.string(let left), .string(let right)): left == right
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        default: false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .integer(let value): hasher.combine(value)
        case .double(let value):
            if let integral = Int64(exactly: value) { hasher.combine(integral) } else { hasher.combine(value) }
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object(let value): hasher.combine(value)
        }
    }
}
