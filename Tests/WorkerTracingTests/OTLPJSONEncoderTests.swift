import JSON
import TestSupport
import Testing

@testable import WorkerTracing

@Suite("OTLP/JSON encoding of spans, without I/O")
struct OTLPJSONEncoderTests {
    static let trace = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
    static let encoder = OTLPJSONEncoder(
        resource: [SpanAttribute("service.name", .string("otp-worker")), SpanAttribute("service.instance.id", .string("w1"))],
        scopeVersion: "1.2.3")

    static let span = FinishedSpan(
        context: SpanContext(traceID: trace, spanID: SpanID(0x00f0_67aa_0ba9_02b7), sampled: true, traceState: "congo=t61rcWkgMzE"),
        parentSpanID: SpanID(0x0000_0000_0000_00ff), name: "process otp.requested", kind: .consumer,
        startNanoseconds: 1_700_000_000_123_456_789, endNanoseconds: 1_700_000_000_223_456_789,
        attributes: [
            SpanAttribute("messaging.kafka.offset", .int(42)), SpanAttribute("otp.request_id", .string("r-\"1\"\n")),
            SpanAttribute("ok", .bool(true)), SpanAttribute("ratio", .double(0.5)),
        ],
        events: [SpanEvent(name: "retry", timeNanoseconds: 1_700_000_000_200_000_000, attributes: [SpanAttribute("otp.provider.attempt", .int(1))])],
        status: .error("SERVER_ERROR"))

    @Test("ids are lowercase hex, times and 64-bit integers decimal strings, enums numbers; the shape is ExportTraceServiceRequest")
    func encodesOneSpan() throws {
        let bytes = Self.encoder.encode([Self.span])
        let text = String(decoding: bytes, as: UTF8.self)
        // Hex, not the Base64 of the Protobuf JSON mapping's bytes fields.
        #expect(text.contains(#""traceId":"4bf92f3577b34da6a3ce929d0e0e4736""#))
        #expect(text.contains(#""spanId":"00f067aa0ba902b7""#))
        #expect(text.contains(#""parentSpanId":"00000000000000ff""#))
        #expect(text.contains(#""startTimeUnixNano":"1700000000123456789""#))
        #expect(text.contains(#""intValue":"42""#), "int64 is a string in the JSON mapping")
        #expect(text.contains(#""kind":5"#))
        #expect(text.contains(#""status":{"code":2,"message":"SERVER_ERROR"}"#))

        let spans = try ReceivedSpan.parse(bytes)
        let span = try #require(spans.first)
        #expect(spans.count == 1)
        #expect(span.name == "process otp.requested")
        #expect(span.resource == ["service.name": "otp-worker", "service.instance.id": "w1"])
        #expect(span.attributes["otp.request_id"] == "r-\"1\"\n", "escaped and read back whole")
        #expect(span.attributes["ok"] == "true" && span.attributes["ratio"] == "0.5")
        #expect(span.events == [ReceivedEvent(name: "retry", timeUnixNano: "1700000000200000000", attributes: ["otp.provider.attempt": "1"])])
        #expect(span.statusCode == 2)
        let root = try #require(JSONValue(parsing: bytes)?.objectValue)
        guard case .array(let resourceSpans)? = root["resourceSpans"], case .array(let scopeSpans)? = resourceSpans.first?.objectValue?["scopeSpans"] else {
            Issue.record("no resourceSpans[0].scopeSpans")
            return
        }
        let scope = scopeSpans.first?.objectValue?["scope"]?.objectValue
        #expect(scope?["name"]?.stringValue == "otp-worker" && scope?["version"]?.stringValue == "1.2.3")
        guard case .array(let list)? = scopeSpans.first?.objectValue?["spans"], let raw = list.first?.objectValue else {
            Issue.record("no spans")
            return
        }
        #expect(raw["traceState"]?.stringValue == "congo=t61rcWkgMzE")
        #expect(raw["flags"]?.integralValue == 1)
    }

    @Test("a root span has no parentSpanId, an unset status no status, no events no events field; several spans in one request")
    func rootAndSeveral() throws {
        var root = Self.span
        root.parentSpanID = nil
        root.status = .unset
        root.events = []
        root.context.traceState = nil
        var child = Self.span
        child.status = .ok
        let bytes = Self.encoder.encode([root, child])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.split(separator: "traceState", omittingEmptySubsequences: false).count == 2, "only the child has one")
        let spans = try ReceivedSpan.parse(bytes)
        #expect(spans.count == 2)
        #expect(spans[0].parentSpanID == nil && spans[0].statusCode == nil && spans[0].events.isEmpty)
        #expect(spans[1].statusCode == 1)
    }

    @Test("integers are written in place: zero, negatives, the extremes")
    func integers() throws {
        var span = Self.span
        span.startNanoseconds = 0
        span.endNanoseconds = .max
        span.attributes = [SpanAttribute("a", .int(0)), SpanAttribute("b", .int(-5)), SpanAttribute("c", .int(.min)), SpanAttribute("d", .int(.max))]
        let text = String(decoding: Self.encoder.encode([span]), as: UTF8.self)
        #expect(text.contains(#""startTimeUnixNano":"0","endTimeUnixNano":"18446744073709551615""#))
        let parsed = try #require(try ReceivedSpan.parse(Array(text.utf8)).first)
        #expect(parsed.attributes == ["a": "0", "b": "-5", "c": "-9223372036854775808", "d": "9223372036854775807"])
    }

    @Test("an empty batch is a valid request; a double that JSON cannot hold is a string")
    func edges() throws {
        #expect(try ReceivedSpan.parse(Self.encoder.encode([])).isEmpty)
        var span = Self.span
        span.attributes = [SpanAttribute("x", .double(.infinity))]
        let text = String(decoding: Self.encoder.encode([span]), as: UTF8.self)
        #expect(text.contains(#""doubleValue":"Infinity""#))
        #expect(JSONValue(parsing: Array(text.utf8)) != nil)
    }
}
