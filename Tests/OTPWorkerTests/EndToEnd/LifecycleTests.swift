import Foundation
import Kafka
import Logging
import MessageCentralSandbox
import TestSupport
import Testing

@testable import OTPWorker

@Suite("End to end: stops, restarts and rebalances", .timeLimit(.minutes(3)))
struct LifecycleTests {
    static func request(_ id: String) -> String {
        #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#
    }

    /// Outcomes per requestId on the three outcome topics.
    static func outcomeCounts(_ stack: WorkerStack) -> [String: Int] {
        var counts: [String: Int] = [:]
        for output in stack.outputs.all where output.topic != stack.topics.deadLetter {
            if let id = output.string("requestId") { counts[id, default: 0] += 1 }
        }
        return counts
    }

    @Test("a stop in the middle of a run and a restart: every request gets exactly one outcome")
    func stopAndRestart() async throws {
        try await withWorkerStack { stack in
            stack.sandbox.setLatency(.milliseconds(300))
            let first = try await stack.startWorker { $0.maxInFlight = 16 }
            let ids = (0..<150).map { "sr-\($0)" }
            for id in ids { try await stack.publish(stack.topics.requested, key: id, json: Self.request(id)) }
            try await eventually("some outcomes") { Self.outcomeCounts(stack).count >= 20 }
            await first.stop()
            let atStop = Self.outcomeCounts(stack).count
            #expect(atStop < ids.count, "the stop came mid-run")

            try await stack.startWorker { $0.maxInFlight = 16 }
            try await stack.outputs.wait(timeout: .seconds(40), "every request has an outcome") { _ in
                Self.outcomeCounts(stack).count == ids.count
            }
            let counts = Self.outcomeCounts(stack)
            #expect(counts.values.allSatisfy { $0 == 1 }, "duplicates: \(counts.filter { $0.value > 1 })")
            #expect(stack.outputs.on(stack.topics.failed).isEmpty)
            #expect(stack.sandbox.stats.sends == ids.count, "no request sent twice after a graceful stop")
            if stack.sandbox.stats.sends != ids.count { stack.logs.dump() }
        }
    }

    @Test("a second worker joining and the first leaving hand partitions over with one outcome per request")
    func rebalance() async throws {
        try await withWorkerStack(partitions: 6) { stack in
            stack.sandbox.setLatency(.milliseconds(50))
            let first = try await stack.startWorker(instance: "first") { $0.maxInFlight = 8 }
            let ids = (0..<240).map { "rb-\($0)" }
            let producer = Task {
                for id in ids {
                    try await stack.publish(stack.topics.requested, key: id, json: Self.request(id))
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await eventually("some outcomes") { Self.outcomeCounts(stack).count >= 30 }
            let second = try await stack.startWorker(instance: "second", waitForAssignment: false) { $0.maxInFlight = 8 }
            do {
                try await eventually(timeout: .seconds(40), "both own partitions") {
                    !second.service.consumer.assignment.isEmpty && !first.service.consumer.assignment.isEmpty
                }
            } catch {
                // What the group did, to tell a slow join from a stuck one.
                let group = stack.logs.lines.filter {
                    $0.message.contains("partition") || $0.message.contains("commit") || $0.message.contains("rebalance")
                        || $0.label.hasPrefix("kafka") && $0.level >= .warning
                }
                print("rebalance: first owns \(first.service.consumer.assignment.count), second \(second.service.consumer.assignment.count); group log:\n"
                      + group.suffix(60).map(\.description).joined(separator: "\n"))
                throw error
            }
            try await eventually("more outcomes") { Self.outcomeCounts(stack).count >= 120 }
            await first.stop()
            try await producer.value
            try await stack.outputs.wait(timeout: .seconds(40), "every request has an outcome") { _ in
                Self.outcomeCounts(stack).count == ids.count
            }
            // A clean hand-over repeats nothing and sends nothing twice. The embedded cluster
            // refuses commits while its group is joining (a real broker accepts them until the
            // sync phase), so under load a revocation commit can be refused, or librdkafka,
            // refused a background commit with ILLEGAL_GENERATION, declares the assignment lost.
            // Then the next owner reads those records again and re-emits the first outcome from
            // the idempotency memory; and after a lost assignment, whatever was in flight was
            // dropped although its calls reached the provider: those requests may be sent again
            // (at most the in-flight bound per loss, as after a kill -9).
            let counts = Self.outcomeCounts(stack)
            let repeated = counts.filter { $0.value > 1 }
            let refusedCommits = first.service.consumer.commitFailureCount + second.service.consumer.commitFailureCount
            let lostAssignments = stack.logs.lines.filter {
                $0.message == "partitions revoked" && $0.metadata["dropped"] != nil && $0.metadata["lost"] == "true"
            }.count
            #expect(repeated.isEmpty || refusedCommits > 0 || lostAssignments > 0,
                    "repeated without a refused commit or a lost assignment: \(repeated)")
            let extraSends = stack.sandbox.stats.sends - ids.count
            #expect(extraSends >= 0 && extraSends <= 8 * lostAssignments,
                    "requests sent twice: \(extraSends), assignments lost: \(lostAssignments)")
            for id in repeated.keys {
                let payloads = Set(stack.outputs.matching("requestId", id).compactMap(\.record.value))
                #expect(payloads.count == 1, "\(id): a repeat is the first outcome, byte for byte")
            }
            if !repeated.isEmpty {
                print("rebalance: \(repeated.count) outcomes re-emitted after \(refusedCommits) refused revocation commits and \(lostAssignments) lost assignments; \(extraSends) requests sent twice")
            }
        }
    }

    @Test("the idempotency memory survives a restart: a repeated request re-emits the first outcome without a second send")
    func memorySurvivesRestart() async throws {
        try await withWorkerStack { stack in
            let first = try await stack.startWorker()
            let request = Self.request("durable-1")
            try await stack.publish(stack.topics.requested, key: "durable-1", json: request)
            try await stack.outputs.wait("sent") { $0.contains { $0.topic == stack.topics.sent } }
            await first.stop()

            try await stack.startWorker()
            try await stack.publish(stack.topics.requested, key: "durable-1", json: request)
            try await stack.outputs.wait("sent again") { $0.filter { $0.topic == stack.topics.sent }.count == 2 }
            let sent = stack.outputs.on(stack.topics.sent)
            #expect(sent[0].record.value == sent[1].record.value, "the first outcome, byte for byte")
            #expect(sent[0].header("ce_id") != sent[1].header("ce_id"))
            #expect(stack.sandbox.stats.sends == 1)
        }
    }
}
