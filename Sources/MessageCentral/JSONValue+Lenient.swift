#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

import JSON

/// Lenient readings of the provider's answers.
///
/// The provider's field types drift (a code is a number here and a string there; `timeout`
/// is a string), so answers are parsed into ``JSONValue`` and read through these accessors
/// rather than through strict `Decodable` types.
extension JSONValue {
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
