import Foundation
import Kafka
import Logging
import OTPEvents
import Testing
import WorkerTracing

@testable import OTPWorker

/// Which trace a record's span continues: the one the decoder will find.
@Suite struct RecordTraceTests {
    struct Discard: SpanExporter {
        func export(_ spans: [FinishedSpan]) async throws {}
        func shutdown() async {}
    }

    static let tracer = Tracer(processor: BatchSpanProcessor(exporter: Discard(), logger: Logger(label: "test")))
    static let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let envelope = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    static func record(_ json: String, headers: [KafkaHeader]) -> KafkaConsumerRecord {
        KafkaConsumerRecord(topic: "otp.requested", partition: 0, offset: 7, key: Array("k".utf8), value: Array(json.utf8),
                            headers: headers, timestampMilliseconds: 0)
    }

    @Test("binary mode: the traceparent header is the parent")
    func header() {
        let trace = RecordTrace(tracer: Self.tracer, record: Self.record(#"{"requestId":"r"}"#, headers: [
            KafkaHeader(name: "traceparent", string: Self.header), KafkaHeader(name: "tracestate", string: "a=b"),
        ]), maxEventBytes: 65_536)
        #expect(trace.span.context.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.span.parentSpanID?.hex == "00f067aa0ba902b7")
        #expect(trace.outputContext(.init()).traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(trace.span.context.spanID.hex)-01")
        #expect(trace.outputContext(.init()).tracestate == "a=b")
    }

    @Test("structured mode: the envelope's traceparent wins over the header, as in the decoder")
    func envelopeWins() {
        let json = #"{"specversion":"1.0","id":"e1","traceparent":"\#(Self.envelope)","tracestate":"x=y","data":{"requestId":"r"}}"#
        let trace = RecordTrace(tracer: Self.tracer, record: Self.record(json, headers: [
            KafkaHeader(name: "content-type", string: "application/cloudevents+json; charset=utf-8"),
            KafkaHeader(name: "traceparent", string: Self.header),
        ]), maxEventBytes: 65_536)
        #expect(trace.span.context.traceID.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(trace.span.parentSpanID?.hex == "b7ad6b7169203331")
        #expect(trace.span.context.traceState == "x=y")
    }

    @Test("an invalid envelope traceparent, or none anywhere, starts a trace")
    func newTrace() {
        let json = #"{"specversion":"1.0","traceparent":"00-XYZ","data":{}}"#
        let invalid = RecordTrace(tracer: Self.tracer, record: Self.record(json, headers: [
            KafkaHeader(name: "content-type", string: "application/cloudevents+json"),
            KafkaHeader(name: "traceparent", string: Self.header),
        ]), maxEventBytes: 65_536)
        #expect(invalid.span.parentSpanID == nil && invalid.span.context.traceID.hex != "4bf92f3577b34da6a3ce929d0e0e4736")
        let none = RecordTrace(tracer: Self.tracer, record: Self.record("{}", headers: []), maxEventBytes: 65_536)
        #expect(none.span.parentSpanID == nil)
    }
}
