import Foundation
import Kafka
import OTPEvents
import Prometheus
import TestSupport
import Testing

@testable import OTPWorker

@Suite("End to end: W3C trace context carried on or dropped", .timeLimit(.minutes(2)))
struct TraceContextTests {
    @Test("a later traceparent version goes to the outcome as it came; an invalid one is dropped and counted, and the request still sent")
    func carriedOrDropped() async throws {
        try await withWorkerStack { stack in
            let metrics = MetricsSetup()
            try await stack.startWorker(metricsFactory: metrics.factory)
            let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like"
            let invalid = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"
            for (id, trace) in [("trace-later", later), ("trace-invalid", invalid)] {
                let number = freshMobileNumber()
                stack.logs.noteSecret(number)
                try await stack.publish(
                    stack.topics.requested, key: id, json: #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(number)"}"#,
                    headers: [KafkaHeader(name: "traceparent", string: trace), KafkaHeader(name: "tracestate", string: "congo=t61rcWkgMzE")])
            }
            try await stack.outputs.wait("otp.sent for both requests") { $0.filter { $0.topic == "otp.sent" }.count == 2 }
            let carried = try #require(stack.outputs.matching("requestId", "trace-later").first)
            #expect(carried.header("traceparent") == later)
            #expect(carried.header("tracestate") == "congo=t61rcWkgMzE")
            let dropped = try #require(stack.outputs.matching("requestId", "trace-invalid").first)
            #expect(dropped.topic == "otp.sent", "an invalid traceparent is neither an error nor a dead letter")
            #expect(dropped.header("traceparent") == nil && dropped.header("tracestate") == nil)
            #expect(stack.outputs.on("otp.dlq").isEmpty)
            try await eventually("the drop counted once") {
                metrics.registry.emitToString().contains("\(WorkerMetrics.traceparentInvalid) 1\n")
            }
        }
    }
}
