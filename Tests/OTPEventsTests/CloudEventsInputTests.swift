import Foundation
import KafkaCore
import OTPEvents
import Testing

@Suite("CloudEvents inputs and trace context", .timeLimit(.minutes(1)))
struct CloudEventsInputTests {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let payload = #"{"requestId":"r-1","countryCode":"91","mobileNumber":"9876543210"}"#

    static func decode(_ value: String, headers: [KafkaHeader], kind: OTPInputKind = .requested) throws(EventDecodingError) -> DecodedInput {
        try EventDecoder().decode(value: Array(value.utf8), headers: headers, kind: kind)
    }

    @Test("binary mode: ce_id, traceparent and tracestate come from headers")
    func binaryMode() throws {
        let decoded = try Self.decode(Self.payload, headers: [
            KafkaHeader(name: "ce_specversion", string: "1.0"), KafkaHeader(name: "ce_id", string: "evt-1"),
            KafkaHeader(name: "ce_type", string: "otp.requested"), KafkaHeader(name: "content-type", string: "application/json"),
            KafkaHeader(name: "traceparent", string: Self.traceparent), KafkaHeader(name: "tracestate", string: "vendor=abc"),
        ])
        #expect(decoded.context == InputContext(ceID: "evt-1", traceparent: Self.traceparent, tracestate: "vendor=abc"))
        #expect(decoded.input == .requested(OTPRequested(requestId: "r-1", countryCode: "91", mobileNumber: "9876543210")))
    }

    @Test("plain JSON without headers has an empty context")
    func plain() throws {
        #expect(try Self.decode(Self.payload, headers: []).context == InputContext())
    }

    @Test("the last of repeated headers wins; a null header is absent")
    func repeatedHeaders() throws {
        let decoded = try Self.decode(Self.payload, headers: [
            KafkaHeader(name: "ce_id", string: "old"), KafkaHeader(name: "ce_id", string: "new"),
            KafkaHeader(name: "traceparent", value: nil),
        ])
        #expect(decoded.context == InputContext(ceID: "new"))
    }

    @Test("structured mode: the payload is data; id and trace context are envelope attributes")
    func structuredMode() throws {
        let envelope = #"{"specversion":"1.0","id":"evt-2","source":"urn:backend","type":"otp.requested","#
            + #""traceparent":"\#(Self.traceparent)","tracestate":"a=1","datacontenttype":"application/json","data":\#(Self.payload)}"#
        let decoded = try Self.decode(envelope, headers: [
            KafkaHeader(name: "content-type", string: "application/cloudevents+json; charset=UTF-8"),
            KafkaHeader(name: "traceparent", string: "00-11111111111111111111111111111111-2222222222222222-00"),
        ])
        #expect(decoded.context == InputContext(ceID: "evt-2", traceparent: Self.traceparent, tracestate: "a=1"))
        guard case .requested(let request) = decoded.input else { Issue.record("wrong kind"); return }
        #expect(request.requestId == "r-1")
    }

    @Test("structured mode with data_base64")
    func structuredBase64() throws {
        let encoded = Data(#"{"verificationId":"v-1","code":"1234"}"#.utf8).base64EncodedString()
        let envelope = #"{"specversion":"1.0","id":"evt-3","source":"s","type":"t","data_base64":"\#(encoded)"}"#
        let decoded = try Self.decode(envelope, headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")], kind: .submitted)
        #expect(decoded.input == .submitted(OTPSubmitted(verificationId: "v-1", code: "1234")))
        #expect(decoded.context.ceID == "evt-3")
    }

    @Test(
        "structured-mode faults",
        arguments: [
            (#"{"specversion":"1.0","id":"e"}"#, "data", "required"),
            (#"{"specversion":"1.0","id":"e","data":"x"}"#, "data", "type"),
            (#"{"specversion":"1.0","id":"e","data_base64":"***"}"#, "data_base64", "format"),
            (#"{"specversion":"1.0","id":"e","data_base64":"WzFd"}"#, nil, "notObject"),
            (#"{"specversion":"1.0","id":"e","data":{"requestId":"r","countryCode":"91"}}"#, "mobileNumber", "required"),
            (#"[1]"#, nil, "notObject"),
        ] as [(String, String?, String)]
    )
    func structuredFaults(envelope: String, field: String?, rule: String) throws {
        let header = KafkaHeader(name: "content-type", string: "application/cloudevents+json")
        let error = try #require(Decode.error(Array(envelope.utf8), headers: [header]))
        #expect(error.field == field && error.rule == rule)
    }

    @Test("a data object that breaks a rule still yields its ids")
    func structuredPartial() throws {
        let envelope = #"{"id":"e","data":{"requestId":"r-7","countryCode":"+1","mobileNumber":"12345"}}"#
        let error = try #require(Decode.error(Array(envelope.utf8), headers: [KafkaHeader(name: "content-type", string: "application/cloudevents+json")]))
        #expect(error.partial.requestId == "r-7" && error.field == "countryCode")
    }

    @Test(
        "an invalid traceparent is dropped with its tracestate, not an error",
        arguments: [
            "", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        ]
    )
    func invalidTraceparent(value: String) throws {
        let decoded = try Self.decode(Self.payload, headers: [
            KafkaHeader(name: "traceparent", string: value), KafkaHeader(name: "tracestate", string: "a=1"),
        ])
        #expect(decoded.context.traceparent == nil && decoded.context.tracestate == nil)
        #expect(decoded.context.traceparentDropped)
        #expect(!TraceContext.isValidTraceparent(value))
    }

    @Test("trace context carries from an input to the headers of its outputs")
    func carriesToOutputs() throws {
        let decoded = try Self.decode(Self.payload, headers: [
            KafkaHeader(name: "ce_id", string: "evt-9"), KafkaHeader(name: "traceparent", string: Self.traceparent),
            KafkaHeader(name: "tracestate", string: "v=1"),
        ])
        let headers = CloudEventHeaders(source: "urn:otp-worker:host:1").headers(type: "otp.sent", time: OutputFixtures.time, cause: decoded.context)
        #expect(headers.last(named: "traceparent")?.stringValue == Self.traceparent)
        #expect(headers.last(named: "tracestate")?.stringValue == "v=1")
        #expect(headers.last(named: "otp_causation_id")?.stringValue == "evt-9")
    }
}
