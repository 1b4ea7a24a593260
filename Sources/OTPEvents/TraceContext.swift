/// Loose checks of W3C Trace Context values, without regular expressions.
public enum TraceContext {
    /// Whether `value` has the W3C version-00 form `00-<32 hex>-<16 hex>-<2 hex>`
    /// with lowercase hex and non-zero trace and span ids.
    ///
    /// Anything else is dropped by the decoder rather than propagated: a malformed
    /// parent would break every tracing backend downstream.
    public static func isValidTraceparent(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
                bytes[2] == dash, bytes[35] == dash, bytes[52] == dash
            else { return false }
            let traceID = bytes[3..<35]
            let spanID = bytes[36..<52]
            let flags = bytes[53..<55]
            guard traceID.allSatisfy(isLowerHex), spanID.allSatisfy(isLowerHex), flags.allSatisfy(isLowerHex)
            else { return false }
            return traceID.contains { $0 != zero } && spanID.contains { $0 != zero }
        }
    }

    /// Whether `value` may be propagated as a `tracestate`: printable ASCII, at most 512 bytes
    /// (the length W3C asks every vendor to carry).
    public static func isAcceptableTracestate(_ value: String) -> Bool {
        let bytes = value.utf8
        return !bytes.isEmpty && bytes.count <= 512 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static let dash = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }
}
