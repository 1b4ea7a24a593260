/// A request's query string decoded the way a Java servlet container does.
///
/// Empty segments are skipped, so the document's `validateOtp?&verificationId=`
/// works. `+` decodes to a space, as Tomcat does: a client that sends a
/// Base64 `key` containing `+` without percent-encoding it fails here as it
/// would live. The first occurrence of a repeated name wins.
struct QueryParameters: Sendable, Equatable {
    private var values: [String: String] = [:]

    /// Parses a raw (still percent-encoded) query string; `nil` means no query.
    init(_ query: String?) {
        guard let query else { return }
        for segment in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = segment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty, values[name] == nil else { continue }
            values[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    /// The decoded value of `name`, or `nil` when absent.
    subscript(_ name: String) -> String? { values[name] }

    /// The value of `name` unless it is absent or empty, which servlet binding treats alike.
    func nonEmpty(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// Percent-decodes `text`, turning `+` into a space; malformed escapes stay as they are.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2,
                   let high = hexValue(iterator[iterator.startIndex]),
                   let low = hexValue(iterator[iterator.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    iterator = iterator.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // The client decodes percent escapes too (its proxy URLs); the sandbox keeps its own on
    // purpose, written apart from the client so that the two cannot share a mistake.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
