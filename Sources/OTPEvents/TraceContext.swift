/// W3C Trace Context values (https://www.w3.org/TR/trace-context/), checked without regular
/// expressions.
public enum TraceContext {
    /// Whether `value` is a `traceparent` to carry on: see ``Traceparent/init(parsing:)``.
    public static func isValidTraceparent(_ value: String) -> Bool {
        Traceparent.isValid(value)
    }

    /// Whether `value` may be propagated as a `tracestate`: printable ASCII, at most 512 bytes
    /// (the length W3C asks every vendor to carry).
    public static func isAcceptableTracestate(_ value: String) -> Bool {
        let bytes = value.utf8
        return !bytes.isEmpty && bytes.count <= 512 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}

/// The four fields of a W3C `traceparent`: `version-traceid-parentid-flags`, in lowercase hex.
public struct Traceparent: Sendable, Hashable {
    /// The version, `00` today; never `ff`.
    public var version: UInt8
    /// 32 hex digits, not all zeros.
    public var traceID: String
    /// The caller's span: 16 hex digits, not all zeros.
    public var parentID: String
    /// The trace flags (bit 0: sampled).
    public var flags: UInt8

    /// Parses a header value as the specification says a receiver must.
    ///
    /// Version `00` is exactly four fields (55 characters). A later version may carry more
    /// fields after the fourth, each behind a `-`: only the first four are read, since a
    /// receiver that knows version `00` can still follow the trace. Version `ff`, uppercase hex,
    /// an all-zero trace or parent id, or a field of the wrong length is invalid: `nil`. An
    /// invalid parent is dropped rather than carried on, since it would break every tracing
    /// backend downstream.
    public init?(parsing value: String) {
        var value = value
        guard let parsed = value.withUTF8({ bytes -> Traceparent? in
            guard let (version, flags) = Self.check(bytes) else { return nil }
            return Traceparent(
                version: version, traceID: String(decoding: bytes[3..<35], as: UTF8.self),
                parentID: String(decoding: bytes[36..<52], as: UTF8.self), flags: flags)
        }) else { return nil }
        self = parsed
    }

    /// Creates a value from fields known to be valid.
    init(version: UInt8, traceID: String, parentID: String, flags: UInt8) {
        self.version = version
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Whether `value` parses (``init(parsing:)``), without building its fields: the decoder
    /// asks this of every record that has the header.
    static func isValid(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { check($0) != nil }
    }

    /// The version and flags of a valid header, or `nil`.
    private static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> (version: UInt8, flags: UInt8)? {
        // version(2) - trace-id(32) - parent-id(16) - flags(2)
        guard bytes.count >= 55, bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
            let version = hexByte(bytes[0], bytes[1]), version != 0xFF,
            let flags = hexByte(bytes[53], bytes[54])
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            // What follows the fourth field belongs to the later version, behind a dash.
            guard bytes[55] == dash else { return nil }
        }
        let traceID = bytes[3..<35]
        let parentID = bytes[36..<52]
        guard traceID.allSatisfy(isLowerHex), parentID.allSatisfy(isLowerHex),
            traceID.contains(where: { $0 != zero }), parentID.contains(where: { $0 != zero })
        else { return nil }
        return (version, flags)
    }

    private static let dash = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = hexValue(high), let low = hexValue(low) else { return nil }
        return high << 4 | low
    }
}
