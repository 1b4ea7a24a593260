import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import Synchronization
import TestSupport
import Testing

@testable import OTPWorker

@Suite("Several worker processes in one group: kill -9, SIGTERM, restart", .timeLimit(.minutes(4)))
struct MultiProcessTests {
    static let requests = 1500
    static let maxInFlight = 32

    func spawn(_ name: String, _ stack: WorkerStack) throws -> ChildWorker {
        // Thousands of codes to one prefix that nobody types in: what the fraud guard blocks once
        // they expire. This suite is about hand-over, not the guard.
        try stack.spawnWorker(name, arguments: ["--max-in-flight", "\(Self.maxInFlight)", "--guard", "off"])
    }

    /// Outcome payloads per requestId, from the three outcome topics.
    static func outcomes(_ stack: WorkerStack) -> [String: [[UInt8]]] {
        var byRequest: [String: [[UInt8]]] = [:]
        for output in stack.outputs.all where output.topic != stack.topics.deadLetter {
            if let id = output.string("requestId"), let value = output.record.value { byRequest[id, default: []].append(value) }
        }
        return byRequest
    }

    @Test("3 workers, 1500 requests, one killed with SIGKILL and restarted, one stopped with SIGTERM: one outcome each, duplicates only from what was in flight")
    func killAndStop() async throws {
        try await withWorkerStack(partitions: 6) { stack in
            stack.sandbox.setLatency(.milliseconds(20))
            var workers = try ["a", "b", "c"].map { try spawn($0, stack) }
            let ids = (0..<Self.requests).map { "mp-\($0)" }
            let producer = Task {
                for (index, id) in ids.enumerated() {
                    try await stack.publish(stack.topics.requested, key: id,
                                            json: #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(9_000_000_000 + index)"}"#)
                    if index % 50 == 49 { try await Task.sleep(for: .milliseconds(20)) }
                }
            }
            try await eventually(timeout: .seconds(60), "a fifth of the outcomes") {
                for worker in workers { try worker.requireRunning() }
                return Self.outcomes(stack).count >= Self.requests / 5
            }
            workers[0].kill()
            #expect(await workers[0].waitForExit(timeout: .seconds(5)) == SIGKILL)
            workers.append(try spawn("a2", stack))

            try await eventually(timeout: .seconds(60), "half of the outcomes") {
                for worker in workers.dropFirst() { try worker.requireRunning() }
                return Self.outcomes(stack).count >= Self.requests / 2
            }
            workers[1].terminate()
            let stopped = await workers[1].waitForExit(timeout: .seconds(20))
            #expect(stopped == 0, "SIGTERM stops gracefully, within its deadline")

            try await producer.value
            try await eventually(timeout: .seconds(90), "every request has an outcome") { Self.outcomes(stack).count == Self.requests }
            let outcomes = Self.outcomes(stack)
            let repeated = outcomes.filter { $0.value.count > 1 }
            for (id, payloads) in repeated {
                #expect(Set(payloads).count == 1, "\(id): repeats are the first outcome, byte for byte: \(Set(payloads).map { String(decoding: $0, as: UTF8.self).prefix(90) })")
            }
            let extraSends = stack.sandbox.stats.sends - Self.requests
            // A send in flight when its worker was killed reached the provider, which then holds
            // a pending code for that number: the next owner's send meets 506. The sandbox names
            // the pending verification, so that send is an otp.sent marked resumed; a 506 naming
            // none would be a retryable REQUEST_ALREADY_EXISTS. Nothing else may fail.
            let failed = stack.outputs.on(stack.topics.failed)
            #expect(failed.allSatisfy { $0.string("reason") == "REQUEST_ALREADY_EXISTS" }, "\(Set(failed.compactMap { $0.string("reason") }))")
            let failedRequests = Set(failed.compactMap { $0.string("requestId") })
            #expect(failedRequests.count <= max(extraSends, 0), "only requests sent twice are refused as pending")
            // The kill drops what was in flight; so does a hand-over that could not wait for its
            // running work (the rebalances the kill, the restart and the stop set off, on an
            // embedded cluster that refuses commits while its group joins), and a stop that
            // reached its deadline. Each drops at most what a worker admits: --max-in-flight
            // undecided records plus decided ones waiting for their outputs' acknowledgements, one
            // and a half times the flag in all; workers log each one.
            let droppingHandOvers = workers.map { worker in
                let log = worker.logText
                return log.components(separatedBy: "work still in flight; its results will be dropped").count - 1
                    + log.components(separatedBy: "abandoning in-flight work at the shutdown deadline").count - 1
            }.reduce(0, +)
            let bound = (Self.maxInFlight * 3 / 2) * (1 + droppingHandOvers)
            #expect(extraSends >= 0 && extraSends <= bound,
                    "provider duplicates bounded by the in-flight records of the kill and of \(droppingHandOvers) hand-overs that dropped work: \(extraSends)")
            print("multi-process: \(repeated.count) outcomes re-emitted, \(extraSends) provider duplicates (bound \(bound): the kill and \(droppingHandOvers) hand-overs that dropped work), \(failedRequests.count) refused as pending")

            for worker in workers where worker !== workers[0] && worker !== workers[1] { worker.terminate() }
            for worker in workers where worker !== workers[0] && worker !== workers[1] {
                #expect(await worker.waitForExit(timeout: .seconds(20)) == 0, "\(worker.name) stops gracefully")
            }
            for worker in workers {
                let text = worker.logText
                #expect(!text.contains(stack.sandboxConfiguration.password), "\(worker.name): password in its log")
                #expect(!text.contains("eyJ"), "\(worker.name): a token in its log")
                #expect(!LogCapture.containsPhoneNumber(text), "\(worker.name): an unmasked number in its log")
            }
        }
    }
}

extension MultiProcessTests {
    @Test(
        "3 workers, one killed with SIGKILL while sends are in flight: with a 506 that names the pending verification every request ends in otp.sent with one verification id; either way one ce_id per input record",
        arguments: [true, false])
    func killWhileSending(pendingNamesVerification: Bool) async throws {
        try await withWorkerStack(partitions: 6) { stack in
            stack.sandbox.setPendingNamesVerification(pendingNamesVerification)
            // Long enough that a kill finds many sends in flight.
            stack.sandbox.setLatency(.milliseconds(200))
            let workers = try ["k1", "k2", "k3"].map { try spawn($0, stack) }
            let producer = Task { try await Self.publishRequests(stack, prefix: "kw-\(pendingNamesVerification)") }
            try await eventually(timeout: .seconds(60), "a third of the outcomes") {
                for worker in workers { try worker.requireRunning() }
                return Self.outcomes(stack).count >= Self.killRequests / 3
            }
            workers[0].kill()
            #expect(await workers[0].waitForExit(timeout: .seconds(5)) == SIGKILL)
            try await producer.value
            try await eventually(timeout: .seconds(90), "every request has an outcome") {
                for worker in workers.dropFirst() { try worker.requireRunning() }
                return Self.outcomes(stack).count == Self.killRequests
            }
            Self.checkOutcomes(stack, pendingNamesVerification: pendingNamesVerification)
            for worker in workers.dropFirst() { worker.terminate() }
            for worker in workers.dropFirst() { _ = await worker.waitForExit(timeout: .seconds(20)) }
        }
    }

    static let killRequests = 600

    static func publishRequests(_ stack: WorkerStack, prefix: String) async throws {
        for index in 0..<killRequests {
            let id = "\(prefix)-\(index)"
            try await stack.publish(stack.topics.requested, key: id,
                                    json: #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(6_000_000_000 + index)"}"#)
            if index % 20 == 19 { try await Task.sleep(for: .milliseconds(100)) }
        }
    }

    static func checkOutcomes(_ stack: WorkerStack, pendingNamesVerification: Bool) {
        let sent = stack.outputs.on(stack.topics.sent)
        let failed = stack.outputs.on(stack.topics.failed)
        var byRequest: [String: [OutputCollector.Output]] = [:]
        for output in sent + failed {
            if let id = output.string("requestId") { byRequest[id, default: []].append(output) }
        }
        let extraSends = stack.sandbox.stats.sends - killRequests
        let resumed = sent.filter { $0.json["resumed"] as? Bool == true }
        let reasons = Set(failed.compactMap { $0.string("reason") })
        if pendingNamesVerification {
            #expect(failed.isEmpty, "no request fails: \(reasons)")
            #expect(extraSends <= 0 || !resumed.isEmpty, "a send repeated after the kill resumes the pending verification")
            for (id, outcomes) in byRequest {
                let verifications = Set(outcomes.compactMap { $0.string("verificationId") })
                #expect(verifications.count == 1, "\(id): one verification id in its outcomes, not \(verifications)")
            }
        } else {
            #expect(reasons.isSubset(of: ["REQUEST_ALREADY_EXISTS"]), "\(reasons)")
            #expect(resumed.isEmpty)
            #expect(extraSends <= 0 || !failed.isEmpty, "a send repeated after the kill meets the old REQUEST_ALREADY_EXISTS")
        }
        // Every redelivered outcome of one input record carries the first emission's ce_id.
        var split = 0
        var redelivered = 0
        for outcomes in byRequest.values {
            if outcomes.count > 1 { redelivered += 1 }
            if Set(outcomes.compactMap { $0.header("ce_id") }).count > 1 { split += 1 }
        }
        #expect(split == 0, "input records with more than one ce_id")
        print("multi-process kill while sending (506 names the pending verification: \(pendingNamesVerification)): \(extraSends) sends repeated, \(resumed.count) resumed, \(failed.count) failed, \(redelivered) outcomes re-emitted, \(split) input records with more than one ce_id")
    }
}
