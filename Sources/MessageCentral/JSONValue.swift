#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Any JSON value, decoded without a schema.
///
/// The provider's field types drift (a code is a number here and a string
/// there; `timeout` is a string), so bodies are decoded into this and read
/// through lenient accessors rather than through strict `Decodable` types.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses bytes as JSON; `nil` when they are not JSON (an HTML error page, an empty body).
    static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        guard !bytes.isEmpty else { return nil }
        // A ByteBuffer's view is contiguous: parsed in place, not copied.
        if let value = bytes.withContiguousStorageIfAvailable(JSONParser.parse) { return value }
        return JSONParser.parse(Array(bytes))
    }

    /// An integer from a number or from a string holding one (`200`, `"200"`, `"60"`, `200.0`).
    var lenientInt: Int? {
        switch self {
        case .integer(let value):
            return Int(exactly: value)
        case .double(let value):
            return Int(exactly: value)
        case .string(let text):
            let trimmed = text.trimmingASCIIWhitespace()
            if let value = Int(trimmed) { return value }
            return Double(trimmed).flatMap { Int(exactly: $0) }
        case .null, .bool, .array, .object:
            return nil
        }
    }

    /// A string from a string or a number; `nil` for null, empty strings and containers.
    var lenientString: String? {
        switch self {
        case .string(let text):
            let trimmed = text.trimmingASCIIWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        case .integer(let value):
            return String(value)
        case .double(let value):
            return Int64(exactly: value).map { String($0) } ?? String(value)
        case .null, .bool, .array, .object:
            return nil
        }
    }

    /// The members of an object; `nil` for anything else (including `null`).
    var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs and newlines.
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }),
            let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
