/// Builds URL query strings in which every value is percent-encoded.
///
/// Only RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) pass through.
/// A Base64 key holds `+`, `/` and `=`: left raw, a server would read `+` as a
/// space and `=` as a separator, and the password would be wrong.
enum QueryString {
    /// Percent-encodes one name or value.
    ///
    /// - Parameter text: Any string; encoded as UTF-8.
    /// - Returns: The text with every byte outside the unreserved set as `%XX` (upper-case hex).
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        append(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `path`, then `?` and the pairs as `name=value&...` (both sides encoded, in the order
    /// given, so URLs are stable), as one string: one allocation rather than one per part.
    static func target(path: String, _ items: [(name: String, value: String)]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(path.utf8.count + 1 + items.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 } * 3 / 2)
        output.append(contentsOf: path.utf8)
        output.append(UInt8(ascii: "?"))
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            append(item.name, to: &output)
            output.append(UInt8(ascii: "="))
            append(item.value, to: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `text` percent-encoded.
    private static func append(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            if self.isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(self.hexDigit(byte >> 4))
                output.append(self.hexDigit(byte & 0x0F))
            }
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
