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
        out.append(contentsOf: span.context.traceID.hex.utf8)
        out.append(contentsOf: #"","spanId":""#.utf8)
        out.append(contentsOf: span.context.spanID.hex.utf8)
        out.append(UInt8(ascii: "\""))
        if let traceState = span.context.traceState {
            out.append(contentsOf: #","traceState":"#.utf8)
            JSONWriter.appendString(traceState, to: &out)
        }
        if let parent = span.parentSpanID {
            out.append(contentsOf: #","parentSpanId":""#.utf8)
            out.append(contentsOf: parent.hex.utf8)
            out.append(UInt8(ascii: "\""))
        }
        // The W3C trace flags in the low byte; whether the parent is remote is left unsaid.
        let flags = span.context.sampled ? 1 : 0
        out.append(contentsOf: #","flags":\#(flags),"name":"#.utf8)
        JSONWriter.appendString(span.name, to: &out)
        out.append(contentsOf: #","kind":\#(span.kind.rawValue),"startTimeUnixNano":"\#(span.startNanoseconds)","endTimeUnixNano":"\#(span.endNanoseconds)","attributes":"#.utf8)
        attributes(span.attributes, to: &out)
        if !span.events.isEmpty {
            out.append(contentsOf: #","events":["#.utf8)
            for (index, event) in span.events.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"timeUnixNano":"\#(event.timeNanoseconds)","name":"#.utf8)
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
                out.append(contentsOf: #""intValue":"\#(value)""#.utf8)
            case .bool(let value):
                out.append(contentsOf: #""boolValue":\#(value)"#.utf8)
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
