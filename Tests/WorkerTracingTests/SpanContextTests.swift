import Logging
import Testing

@testable import WorkerTracing

@Suite("Span identities and the traceparent they make")
struct SpanContextTests {
    @Test("a traceparent parses into its fields and back; later versions keep their first four fields")
    func roundTrip() throws {
        let value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let context = try #require(SpanContext(traceparent: value))
        #expect(context.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID.hex == "00f067aa0ba902b7")
        #expect(context.sampled)
        #expect(context.traceparent == value)
        let later = try #require(SpanContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra"))
        #expect(!later.sampled && later.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
        #expect(SpanContext(traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01") == nil)
        #expect(SpanContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01") == nil)
        #expect(SpanContext(traceparent: "garbage") == nil)
    }

    @Test("a child keeps its parent's trace, sampling and tracestate, with a span id of its own")
    func children() {
        let processor = BatchSpanProcessor(exporter: RecordingExporter(), logger: .init(label: "test"))
        let tracer = Tracer(processor: processor)
        let parent = SpanContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: "a=b")
        let record = tracer.startSpan("record", kind: .consumer, continuing: parent)
        #expect(record.context.traceID == parent?.traceID)
        #expect(record.parentSpanID == parent?.spanID)
        #expect(record.context.spanID != parent?.spanID)
        #expect(record.context.traceState == "a=b")
        let child = tracer.startSpan("provider send", kind: .client, childOf: record)
        #expect(child.context.traceID == record.context.traceID && child.parentSpanID == record.context.spanID)
        let root = tracer.startSpan("record", kind: .consumer, continuing: nil)
        #expect(root.parentSpanID == nil && root.context.sampled)
    }

    @Test("parent-based sampling follows the input's flag; always_off records nothing; a ratio is decided by trace id")
    func sampling() {
        let unsampled = SpanContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
        let processor = BatchSpanProcessor(exporter: RecordingExporter(), logger: .init(label: "test"))
        #expect(!Tracer(processor: processor).startSpan("r", kind: .consumer, continuing: unsampled).isRecording)
        #expect(Tracer(sampler: Sampler(name: "always_on", argument: nil)!, processor: processor)
            .startSpan("r", kind: .consumer, continuing: unsampled).isRecording)
        #expect(!Tracer(sampler: Sampler(name: "always_off", argument: nil)!, processor: processor)
            .startSpan("r", kind: .consumer, continuing: nil).isRecording)
        let half = Sampler(name: "traceidratio", argument: "0.5")!
        #expect(half.shouldSample(traceID: TraceID(high: 1, low: 0x1000), parentSampled: nil))
        #expect(!half.shouldSample(traceID: TraceID(high: 1, low: 0x7FFF_FFFF_FFFF_0000), parentSampled: nil))
        #expect(Sampler(name: "traceidratio", argument: "2") == nil)
        #expect(Sampler(name: "jaeger_remote", argument: nil) == nil)
        #expect(Sampler(name: nil, argument: nil) == .default)
    }
}
