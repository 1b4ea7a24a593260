import Foundation

/// A JSON value for the test-side schema validator, parsed by `JSONDecoder` rather
/// than by the module's own parser so that the two act as independent witnesses.
indirect enum TestJSON: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([TestJSON])
    case object([String: TestJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: TestJSON].self) {
            self = .object(value)
        } else {
            self = .array(try container.decode([TestJSON].self))
        }
    }

    /// What the bytes of an example file are, in the decoder's document-level terms.
    enum Document {
        case json(TestJSON)
        case unreadable(rule: String)
    }

    /// Classifies raw bytes the way the contract does before any schema applies.
    static func document(_ bytes: [UInt8]) -> Document {
        guard !bytes.isEmpty else { return .unreadable(rule: "emptyValue") }
        guard String(validating: bytes, as: UTF8.self) != nil else { return .unreadable(rule: "invalidUTF8") }
        guard !hasTrailingComma(bytes), let value = try? JSONDecoder().decode(TestJSON.self, from: Data(bytes)) else {
            return .unreadable(rule: "notJSON")
        }
        return .json(value)
    }

    /// Foundation's JSON parser (swift-foundation) accepts `{"a":1,}` and `[1,]`, which RFC 8259,
    /// Python's `json` and the module's own parser refuse; this scan restores the strict verdict.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var pendingComma = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "]"), UInt8(ascii: "}"): if pendingComma { return true }
            case UInt8(ascii: "\""): inString = true
            default: break
            }
            pendingComma = byte == UInt8(ascii: ",")
        }
        return false
    }

    var object: [String: TestJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
