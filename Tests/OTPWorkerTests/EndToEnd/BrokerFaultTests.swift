import Foundation
import Kafka
import KafkaEmbedded
import KafkaTestSupport
import MessageCentralSandbox
import TestSupport
import Testing

@testable import OTPWorker

@Suite(
    "End to end: broker faults", .timeLimit(.minutes(3)),
    .embeddedClusterOnly("injects request errors and takes a broker down: the embedded cluster's fault injection"))
struct BrokerFaultTests {
    static func request(_ id: String, _ index: Int) -> String {
        #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(9_100_000_000 + index)"}"#
    }

    /// The test's own producer meets the injected errors too; a backend would retry.
    static func publish(_ stack: WorkerStack, _ id: String, _ index: Int) async throws {
        var attempts = 0
        while true {
            do {
                try await stack.publish(stack.topics.requested, key: id, json: request(id, index))
                return
            } catch let error as KafkaError where error.isRetriable && attempts < 20 {
                attempts += 1
                try await Task.sleep(for: .milliseconds(100))  // backoff between retries
            }
        }
    }

    static func outcomes(_ stack: WorkerStack) -> [String: Set<[UInt8]>] {
        var byRequest: [String: Set<[UInt8]>] = [:]
        for output in stack.outputs.all where output.topic != stack.topics.deadLetter {
            if let id = output.string("requestId"), let value = output.record.value { byRequest[id, default: []].insert(value) }
        }
        return byRequest
    }

    @Test("request errors on produce, fetch and offset commit, and a broker down during produce and commit: nothing lost, nothing sent twice")
    func faults() async throws {
        try await withWorkerStack(partitions: 3) { stack in
            let worker = try await stack.startWorker()
            let ids = (0..<300).map { "bf-\($0)" }
            try stack.cluster.faults.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .networkException])
            try stack.cluster.faults.pushRequestErrors(.fetch, [.notLeaderForPartition, .unknownTopicOrPartition, .networkException])
            try stack.cluster.faults.pushRequestErrors(.offsetCommit, [.coordinatorNotAvailable, .notCoordinator, .requestTimedOut])
            for (index, id) in ids.prefix(100).enumerated() {
                try await Self.publish(stack, id, index)
            }
            try await eventually(timeout: .seconds(60), "the first hundred handled") { Self.outcomes(stack).count >= 100 }

            // A broker down while outputs are produced and offsets committed, then back.
            let victim = try stack.cluster.faults.brokerIDs[1]
            try stack.cluster.faults.setBrokerDown(victim)
            let during = Task {
                for (index, id) in ids.dropFirst(100).prefix(100).enumerated() {
                    try await Self.publish(stack, id, 100 + index)
                }
            }
            try await Task.sleep(for: .seconds(2))  // the length of the injected outage, not a wait for a condition
            try stack.cluster.faults.setBrokerUp(victim)
            try await during.value
            for (index, id) in ids.suffix(100).enumerated() {
                try await Self.publish(stack, id, 200 + index)
            }
            try await eventually(timeout: .seconds(90), "every request handled") { Self.outcomes(stack).count == ids.count }
            let outcomes = Self.outcomes(stack)
            #expect(outcomes.values.allSatisfy { $0.count == 1 }, "repeats are the first outcome, byte for byte")
            #expect(stack.outputs.on(stack.topics.failed).isEmpty)
            #expect(stack.sandbox.stats.sends == ids.count, "no request sent twice")
            #expect(worker.readiness.readiness == .ready)
        }
    }
}
