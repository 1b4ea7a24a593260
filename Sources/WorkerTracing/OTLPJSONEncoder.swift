import JSON

/// Writes spans as an OTLP/JSON `ExportTraceServiceRequest`, the body of `POST /v1/traces`.
///
/// OTLP/JSON is the Protobuf JSON mapping with OTLP's exceptions: `traceId` and `spanId` are
/// lowercase hex (not Base64), enums are integers, 64-bit integers (times, `intValue`) are
/// decimal strings. Pure: no I/O, the same bytes for the same spans.
public struct OTLPJSONEncoder: Sendable {
    /// The resource's attributes (`service.name` first), shared by every span of the process.
    public var resource: [SpanAttribute]
    /// The instrumentation scope: the worker itself.
    public var scopeName: String
    /// The scope's version: the worker's.
    public var scopeVersion: String?

    /// Creates an encoder.
    public init(resource: [SpanAttribute], scopeName: String = "otp-worker", scopeVersion: String? = nil) {
        self.resource = resource
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
    }

    /// The request body for `spans`.
    public func encode(_ spans: [FinishedSpan]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + spans.count * 600)
        out.append(contentsOf: #"{"resourceSpans":[{"resource":{"attributes":"#.utf8)
        Self.attributes(resource, to: &out)
        out.append(contentsOf: #"},"scopeSpans":[{"scope":{"name":"#.utf8)
        JSONWriter.appendString(scopeName, to: &out)
        if let scopeVersion {
            out.append(contentsOf: #","version":"#.utf8)
            JSONWriter.appendString(scopeVersion, to: &out)
        }
        out.append(contentsOf: #"},"spans":["#.utf8)
        for (index, span) in spans.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.span(span, to: &out)
        }
        out.append(contentsOf: "]}]}]}".utf8)
        return out
    }

    static func span(_ span: FinishedSpan, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"traceId":""#.utf8)
        appendHex(span.context.traceID.high, to: &out)
        appendHex(span.context.traceID.low, to: &out)
        out.append(contentsOf: #"","spanId":""#.utf8)
        appendHex(span.context.spanID.value, to: &out)
        out.append(UInt8(ascii: "\""))
        if let traceState = span.context.traceState {
            out.append(contentsOf: #","traceState":"#.utf8)
            JSONWriter.appendString(traceState, to: &out)
        }
        if let parent = span.parentSpanID {
            out.append(contentsOf: #","parentSpanId":""#.utf8)
            appendHex(parent.value, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        // The W3C trace flags in the low byte; whether the parent is remote is left unsaid.
        out.append(contentsOf: (span.context.sampled ? #","flags":1,"name":"# : #","flags":0,"name":"#).utf8)
        JSONWriter.appendString(span.name, to: &out)
        out.append(contentsOf: #","kind":"#.utf8)
        appendDecimal(UInt64(span.kind.rawValue), to: &out)
        out.append(contentsOf: #","startTimeUnixNano":""#.utf8)
        appendDecimal(span.startNanoseconds, to: &out)
        out.append(contentsOf: #"","endTimeUnixNano":""#.utf8)
        appendDecimal(span.endNanoseconds, to: &out)
        out.append(contentsOf: #"","attributes":"#.utf8)
        attributes(span.attributes, to: &out)
        if !span.events.isEmpty {
            out.append(contentsOf: #","events":["#.utf8)
            for (index, event) in span.events.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"timeUnixNano":""#.utf8)
                appendDecimal(event.timeNanoseconds, to: &out)
                out.append(contentsOf: #"","name":"#.utf8)
                JSONWriter.appendString(event.name, to: &out)
                out.append(contentsOf: #","attributes":"#.utf8)
                attributes(event.attributes, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        switch span.status {
        case .unset:
            break
        case .ok:
            out.append(contentsOf: #","status":{"code":1}"#.utf8)
        case .error(let message):
            out.append(contentsOf: #","status":{"code":2,"message":"#.utf8)
            JSONWriter.appendString(message, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// 16 lowercase hex digits, written in place: ids are most of a span's bytes.
    static func appendHex(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8((value >> UInt64(shift)) & 0xF)
            out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// `value` in decimal, written in place, without the String an interpolation would make.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        // At most 20 digits: count them, then write them from the last.
        var count = 0
        var probe = value
        while probe > 0 {
            count += 1
            probe /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var rest = value
        var index = start + count - 1
        while rest > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    static func attributes(_ attributes: [SpanAttribute], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"key":"#.utf8)
            JSONWriter.appendString(attribute.key, to: &out)
            out.append(contentsOf: #","value":{"#.utf8)
            switch attribute.value {
            case .string(let value):
                out.append(contentsOf: #""stringValue":"#.utf8)
                JSONWriter.appendString(value, to: &out)
            case .int(let value):
                out.append(contentsOf: #""intValue":""#.utf8)
                if value < 0 { out.append(UInt8(ascii: "-")) }
                appendDecimal(value.magnitude, to: &out)
                out.append(UInt8(ascii: "\""))
            case .bool(let value):
                out.append(contentsOf: (value ? #""boolValue":true"# : #""boolValue":false"#).utf8)
            case .double(let value):
                // JSON has no NaN or infinity; the Protobuf mapping writes them as strings.
                if value.isFinite {
                    out.append(contentsOf: #""doubleValue":\#(value)"#.utf8)
                } else {
                    out.append(contentsOf: #""doubleValue":"\#(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity")""#.utf8)
                }
            }
            out.append(contentsOf: "}}".utf8)
        }
        out.append(UInt8(ascii: "]"))
    }
}
