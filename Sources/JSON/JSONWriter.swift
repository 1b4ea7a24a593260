/// Writes one flat JSON object into bytes, fields in call order.
///
/// Hand-written rather than `JSONEncoder` so that key order is fixed, `nil` can be an
/// explicit `null`, and encoding stays allocation-light on the hot path.
package struct JSONWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isFirst = true

    package init() {
        // Outputs with metadata pass 256 bytes; one allocation instead of a copy on growth.
        bytes.reserveCapacity(512)
    }

    package mutating func field(_ key: StaticString, _ value: String?) {
        writeKey(key)
        if let value { writeString(value) } else { writeNull() }
    }

    package mutating func field(_ key: StaticString, _ value: Int?) {
        writeKey(key)
        if let value { bytes.append(contentsOf: String(value).utf8) } else { writeNull() }
    }

    package mutating func field(_ key: StaticString, _ value: Bool) {
        writeKey(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// An object of strings with sorted keys, or nothing at all when `nil`.
    package mutating func fieldIfPresent(_ key: StaticString, _ value: [String: String]?) {
        guard let value else { return }
        writeKey(key)
        bytes.append(UInt8(ascii: "{"))
        for (offset, entryKey) in value.keys.sorted().enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(entryKey)
            bytes.append(UInt8(ascii: ":"))
            writeString(value[entryKey]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    package consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func writeKey(_ key: StaticString) {
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
        isFirst = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: "\":".utf8)
    }

    private mutating func writeNull() {
        bytes.append(contentsOf: "null".utf8)
    }

    private mutating func writeString(_ value: String) {
        Self.appendString(value, to: &bytes)
    }

    /// Appends `value` as a JSON string literal (control characters escaped, `/` kept as is).
    package static func appendString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Most strings (ids, numbers, timestamps, topic names) need no escape: copy them whole.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
                case 0x0A: bytes.append(contentsOf: "\\n".utf8)
                case 0x0D: bytes.append(contentsOf: "\\r".utf8)
                case 0x09: bytes.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    bytes.append(contentsOf: "\\u00".utf8)
                    bytes.append(lowercaseHexDigits[Int(byte >> 4)])
                    bytes.append(lowercaseHexDigits[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// The ASCII digits of base 16, lowercase: JSON's `\u00XX` escapes and event ids.
package let lowercaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)
