import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import OTPEvents
import TestSupport
import Testing

@testable import OTPWorker

/// `otp-worker run` with `OTEL_EXPORTER_OTLP_ENDPOINT` set, exporting to a local OTLP/HTTP
/// receiver: the spans of a record continue the input's trace, and the outputs continue the
/// record's span.
@Suite("End to end: OpenTelemetry traces of a worker process", .timeLimit(.minutes(3)))
struct TracingTests {
    static let inputTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let inputSpan = "00f067aa0ba902b7"

    static func spawn(_ name: String, _ stack: WorkerStack, receiver: OTLPReceiver, scheduleDelay: String) throws -> ChildWorker {
        try stack.spawnWorker(name, environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_SERVICE_NAME": "otp-worker-test",
            "OTEL_BSP_SCHEDULE_DELAY": scheduleDelay,
        ])
    }

    static func request(_ id: String, number: String) -> String {
        #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(number)"}"#
    }

    @Test("the record span continues the input's traceparent; the provider call (with its retry) and the publish are its children; the output carries the record span")
    func spansContinueTheInputTrace() async throws {
        try await withOTLPReceiver { receiver in
            try await withWorkerStack { stack in
                // One 500 from the provider: the send is retried, and the retry is a span event.
                stack.sandbox.inject(.serverError(status: 500), count: 1, endpoint: .send)
                let child = try Self.spawn("traced", stack, receiver: receiver, scheduleDelay: "100")
                let number = freshMobileNumber()
                stack.logs.noteSecret(number)
                try await stack.publish(
                    stack.topics.requested, key: "trace-e2e", json: Self.request("trace-e2e", number: number),
                    headers: [KafkaHeader(name: "traceparent", string: "00-\(Self.inputTrace)-\(Self.inputSpan)-01"),
                              KafkaHeader(name: "tracestate", string: "congo=t61rcWkgMzE")])
                try await eventually(timeout: .seconds(60), "the otp.sent of trace-e2e") {
                    try child.requireRunning()
                    return !stack.outputs.matching("requestId", "trace-e2e").isEmpty
                }
                try await eventually(timeout: .seconds(30), "the record span at the receiver") {
                    receiver.spans.contains { $0.name.hasPrefix("process ") && $0.traceID == Self.inputTrace }
                }
                let spans = receiver.spans.filter { $0.traceID == Self.inputTrace }
                let record = try #require(spans.first { $0.name == "process \(stack.topics.requested)" })
                #expect(record.parentSpanID == Self.inputSpan, "the record span's parent is the input's span")
                #expect(record.kind == 5)
                #expect(record.attributes["otp.request_id"] == "trace-e2e")
                #expect(record.attributes["otp.outcome.type"] == "otp.sent")
                #expect(record.attributes["messaging.destination.name"] == stack.topics.requested)
                #expect(record.resource["service.name"] == "otp-worker-test")

                let provider = try #require(spans.first { $0.name == "provider send" })
                #expect(provider.parentSpanID == record.spanID)
                let retry = try #require(provider.events.first { $0.name == "retry" }, "the 500 is a retry event")
                #expect(retry.attributes["otp.provider.code"] == "500")
                #expect(retry.attributes["otp.provider.attempt"] == "1")
                let publish = try #require(spans.first { $0.name == "publish" })
                #expect(publish.parentSpanID == record.spanID)
                #expect(publish.attributes["messaging.batch.message_count"] == "2", "the idempotency record and otp.sent")

                let output = try #require(stack.outputs.matching("requestId", "trace-e2e").first)
                #expect(output.header("traceparent") == "00-\(Self.inputTrace)-\(record.spanID)-01")
                #expect(output.header("tracestate") == "congo=t61rcWkgMzE")

                // Nothing secret in any span: not the number, not the sandbox's password.
                for span in spans {
                    for value in span.attributes.values + span.events.flatMap(\.attributes.values) + [span.statusMessage ?? ""] {
                        #expect(!value.contains(number) && !value.contains(stack.sandboxConfiguration.password))
                    }
                }
                #expect(receiver.seenContentTypes == ["application/json"])
                #expect(receiver.refusals.isEmpty)
                // The record's log lines name its trace.
                let line = child.logText.split(separator: "\n").first { $0.contains(#""message":"otp.sent""#) }
                #expect(line?.contains(#""trace_id":"\#(Self.inputTrace)""#) == true, "\(line ?? "no otp.sent line")")
                #expect(!child.logText.contains(number))

                child.terminate()
                #expect(await child.waitForExit(timeout: .seconds(20)) == 0)
            }
        }
    }

    @Test("a graceful stop exports the spans still queued; an input without traceparent starts a trace that the output continues")
    func shutdownFlushes() async throws {
        try await withOTLPReceiver { receiver in
            try await withWorkerStack { stack in
                // Ten minutes: nothing is exported before the stop.
                let child = try Self.spawn("traced-stop", stack, receiver: receiver, scheduleDelay: "600000")
                let number = freshMobileNumber()
                stack.logs.noteSecret(number)
                try await stack.publish(stack.topics.requested, key: "trace-stop", json: Self.request("trace-stop", number: number))
                try await eventually(timeout: .seconds(60), "the otp.sent of trace-stop") {
                    try child.requireRunning()
                    return !stack.outputs.matching("requestId", "trace-stop").isEmpty
                }
                #expect(receiver.spans.isEmpty, "nothing before the stop: the schedule is ten minutes")
                child.terminate()
                #expect(await child.waitForExit(timeout: .seconds(20)) == 0)

                let output = try #require(stack.outputs.matching("requestId", "trace-stop").first)
                let traceparent = try #require(output.header("traceparent"), "tracing on: every output has a traceparent")
                let fields = traceparent.split(separator: "-").map(String.init)
                try #require(fields.count == 4)
                let spans = receiver.spans.filter { $0.traceID == fields[1] }
                let record = try #require(spans.first { $0.name.hasPrefix("process ") }, "exported at the stop")
                #expect(record.parentSpanID == nil, "a new trace: the input had none")
                #expect(record.spanID == fields[2])
                #expect(Set(spans.map(\.name)) == ["process \(stack.topics.requested)", "provider send", "publish"])
            }
        }
    }
}
