/// The identity of a span as W3C Trace Context carries it: trace id, span id, sampled flag and
/// the vendors' `tracestate`.
public struct SpanContext: Sendable, Hashable {
    /// 16 bytes, as two big-endian halves; never all zeros.
    public var traceID: TraceID
    /// 8 bytes; never zero.
    public var spanID: SpanID
    /// Whether the trace is sampled (bit 0 of the trace flags): recorded and exported.
    public var sampled: Bool
    /// The W3C `tracestate` carried along unchanged, if any.
    public var traceState: String?

    /// Creates a context from its parts.
    public init(traceID: TraceID, spanID: SpanID, sampled: Bool, traceState: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
        self.traceState = traceState
    }

    /// Reads a `traceparent` header value that was already checked to be valid W3C (the worker
    /// validates every input's header before it gets here); `nil` when the fields do not parse.
    ///
    /// Only the first four fields are read, so a later version's value continues the trace.
    public init?(traceparent: String, traceState: String? = nil) {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
            bytes[52] == UInt8(ascii: "-"),
            let high = Hex.uint64(bytes[3..<19]), let low = Hex.uint64(bytes[19..<35]),
            let span = Hex.uint64(bytes[36..<52]), let flags = Hex.uint64(bytes[53..<55]),
            high != 0 || low != 0, span != 0
        else { return nil }
        self.init(traceID: TraceID(high: high, low: low), spanID: SpanID(span), sampled: flags & 1 == 1, traceState: traceState)
    }

    /// The `traceparent` header of this context, version `00`.
    public var traceparent: String {
        "00-\(traceID.hex)-\(spanID.hex)-\(sampled ? "01" : "00")"
    }
}

/// A 16-byte trace id.
public struct TraceID: Sendable, Hashable {
    /// The first eight bytes, big-endian.
    public var high: UInt64
    /// The last eight bytes, big-endian.
    public var low: UInt64

    /// Creates an id from its halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lowercase hex digits, as W3C and OTLP/JSON write it.
    public var hex: String { Hex.string(high) + Hex.string(low) }

    /// A random id, never all zeros.
    static func random(using generator: inout some RandomNumberGenerator) -> TraceID {
        while true {
            let id = TraceID(high: generator.next(), low: generator.next())
            if id.high != 0 || id.low != 0 { return id }
        }
    }
}

/// An 8-byte span id.
public struct SpanID: Sendable, Hashable {
    /// The eight bytes, big-endian.
    public var value: UInt64

    /// Creates an id; zero is not a valid span id.
    public init(_ value: UInt64) { self.value = value }

    /// 16 lowercase hex digits, as W3C and OTLP/JSON write it.
    public var hex: String { Hex.string(value) }

    /// A random id, never zero.
    static func random(using generator: inout some RandomNumberGenerator) -> SpanID {
        while true {
            let value = generator.next()
            if value != 0 { return SpanID(value) }
        }
    }
}

/// Lowercase hexadecimal without Foundation.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `value` as 16 hex digits, zero-padded.
    static func string(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                buffer[index] = digits[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
            }
            return 16
        }
    }

    /// The value of up to 16 lowercase or uppercase hex digits; `nil` for any other byte.
    static func uint64(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
