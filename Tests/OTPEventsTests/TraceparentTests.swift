import KafkaCore
import OTPEvents
import Testing

/// The trace and parent ids of the specification's examples.
private let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
private let parentID = "00f067aa0ba902b7"

/// `traceparent` as W3C Trace Context says a receiver reads it, from the specification's own
/// examples: version `00` exactly, a later version by its first four fields, everything else
/// dropped and noted, never an error.
@Suite("W3C traceparent: parsing, carrying on, dropping", .timeLimit(.minutes(1)))
struct TraceparentTests {
    static let payload = #"{"requestId":"r-1","countryCode":"91","mobileNumber":"9876543210"}"#

    static func decode(traceparent: String) throws -> InputContext {
        try EventDecoder().decode(
            value: Array(payload.utf8),
            headers: [KafkaHeader(name: "traceparent", string: traceparent), KafkaHeader(name: "tracestate", string: "congo=t61rcWkgMzE")],
            kind: .requested
        ).context
    }

    @Test("version 00: the four fields")
    func version00() throws {
        let parsed = try #require(Traceparent(parsing: "00-\(traceID)-\(parentID)-01"))
        #expect(parsed == Traceparent(parsing: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(parsed.version == 0 && parsed.flags == 1)
        #expect(parsed.traceID == traceID && parsed.parentID == parentID)
        #expect(Traceparent(parsing: "00-\(traceID)-\(parentID)-00")?.flags == 0)
    }

    @Test(
        "a later version is read by its first four fields, whatever follows them behind a dash",
        arguments: [
            "cc-\(traceID)-\(parentID)-01-what-the-future-will-be-like",
            "cc-\(traceID)-\(parentID)-01-extra",
            "cc-\(traceID)-\(parentID)-01",
            "01-\(traceID)-\(parentID)-09",
            "fe-\(traceID)-\(parentID)-01-",
        ]
    )
    func laterVersion(value: String) throws {
        let parsed = try #require(Traceparent(parsing: value))
        #expect(parsed.traceID == traceID && parsed.parentID == parentID)
        #expect(parsed.version != 0)
        let context = try Self.decode(traceparent: value)
        #expect(context.traceparent == value, "carried on as it came")
        #expect(context.tracestate == "congo=t61rcWkgMzE")
        #expect(!context.traceparentDropped)
        let headers = CloudEventHeaders(source: "s").headers(type: "otp.sent", time: OutputFixtures.time, cause: context)
        #expect(headers.last(named: "traceparent")?.stringValue == value)
    }

    @Test(
        "invalid values are dropped with their tracestate, noted, and not carried to outputs",
        arguments: [
            // Uppercase hex.
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", "00-\(traceID)-\(parentID)-0A", "0A-\(traceID)-\(parentID)-01",
            // All-zero ids.
            "00-00000000000000000000000000000000-\(parentID)-01", "00-\(traceID)-0000000000000000-01",
            // Version ff, never valid.
            "ff-\(traceID)-\(parentID)-01", "ff-\(traceID)-\(parentID)-01-extra",
            // Wrong lengths: every field one short or one long; version 00 with a fifth field.
            "0-\(traceID)-\(parentID)-01", "000-\(traceID)-\(parentID)-01",
            "00-\(traceID.dropLast())-\(parentID)-01", "00-\(traceID)0-\(parentID)-01",
            "00-\(traceID)-\(parentID.dropLast())-01", "00-\(traceID)-\(parentID)0-01",
            "00-\(traceID)-\(parentID)-1", "00-\(traceID)-\(parentID)-011",
            "00-\(traceID)-\(parentID)-01-extra", "00-\(traceID)-\(parentID)-01-",
            // A later version whose flags are not followed by the end or a dash.
            "cc-\(traceID)-\(parentID)-01extra",
            // Not hex, wrong separators, nothing.
            "00-4bf92f3577b34da6a3ce929d0e0e473g-\(parentID)-01", "00_\(traceID)-\(parentID)-01", "00-\(traceID)_\(parentID)-01",
            "", "garbage",
        ]
    )
    func invalid(value: String) throws {
        #expect(Traceparent(parsing: value) == nil)
        #expect(!TraceContext.isValidTraceparent(value))
        let context = try Self.decode(traceparent: value)
        #expect(context.traceparent == nil && context.tracestate == nil)
        #expect(context.traceparentDropped)
        let headers = CloudEventHeaders(source: "s").headers(type: "otp.sent", time: OutputFixtures.time, cause: context)
        #expect(headers.last(named: "traceparent") == nil && headers.last(named: "tracestate") == nil)
    }

    @Test("no traceparent is not a drop")
    func absent() throws {
        let context = try EventDecoder().decode(value: Array(Self.payload.utf8), headers: [], kind: .requested).context
        #expect(context == InputContext())
        #expect(!context.traceparentDropped)
    }

    @Test("in structured mode the envelope's traceparent decides, valid or not")
    func structuredMode() throws {
        let valid = "00-\(traceID)-\(parentID)-01"
        func decode(envelopeTrace: String, header: String) throws -> InputContext {
            let envelope = #"{"specversion":"1.0","id":"e","traceparent":"\#(envelopeTrace)","data":\#(Self.payload)}"#
            return try EventDecoder().decode(
                value: Array(envelope.utf8),
                headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json"), KafkaHeader(name: "traceparent", string: header)],
                kind: .requested
            ).context
        }
        let dropped = try decode(envelopeTrace: "ff-\(traceID)-\(parentID)-01", header: valid)
        #expect(dropped.traceparent == nil && dropped.traceparentDropped)
        let kept = try decode(envelopeTrace: valid, header: "garbage")
        #expect(kept.traceparent == valid && !kept.traceparentDropped)
    }

    @Test("the context of a record read from its headers alone drops an invalid traceparent too")
    func headersAlone() {
        let context = InputContext(headers: [
            KafkaHeader(name: "ce_id", string: "evt-1"), KafkaHeader(name: "traceparent", string: "00-\(traceID)-\(parentID)-01-extra"),
        ])
        #expect(context == InputContext(ceID: "evt-1", traceparentDropped: true))
        let fallback = InputContext(headers: [KafkaHeader(name: "ce_traceparent", string: "cc-\(traceID)-\(parentID)-01-x")])
        #expect(fallback.traceparent == "cc-\(traceID)-\(parentID)-01-x")
    }
}
