import Foundation
import Kafka
import MessageCentralSandbox
import Testing

@testable import OTPWorker

@Suite("End to end: processing rules", .timeLimit(.minutes(3)))
struct ProcessingRuleTests {
    static func request(_ id: String, number: String, extra: String = "") -> String {
        #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(number)"\#(extra)}"#
    }

    @Test("rule 3: an expired request, by requestedAt or by record timestamp, fails REQUEST_EXPIRED with zero provider calls")
    func expiry() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker { $0.maxRequestAge = .seconds(60) }
            let old = Date(timeIntervalSinceNow: -3600)
            let formatter = ISO8601DateFormatter()
            try await stack.publish(stack.topics.requested, key: "exp-1",
                                    json: Self.request("exp-1", number: freshMobileNumber(), extra: #","requestedAt":"\#(formatter.string(from: old))""#))
            try await stack.publish(stack.topics.requested, key: "exp-2", json: Self.request("exp-2", number: freshMobileNumber()),
                                    timestamp: Int64(old.timeIntervalSince1970 * 1000))
            try await stack.outputs.wait("two expiries") { $0.filter { $0.string("reason") == "REQUEST_EXPIRED" }.count == 2 }
            for failure in stack.outputs.on(stack.topics.failed) {
                #expect(failure.string("stage") == "send")
                #expect((failure.json["retryable"] as? Bool) == false)
            }
            #expect(stack.sandbox.stats.sends == 0)
        }
    }

    @Test("rule 4: a duplicate requestId re-emits the first outcome without a second send, also while the first is in flight")
    func duplicateRequest() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            stack.sandbox.setLatency(.milliseconds(300))
            let number = freshMobileNumber()
            // Different keys, so the two run concurrently and the second must wait for the first.
            try await stack.publish(stack.topics.requested, key: "dup-a", json: Self.request("dup-1", number: number))
            try await stack.publish(stack.topics.requested, key: "dup-b", json: Self.request("dup-1", number: number))
            try await stack.outputs.wait("two otp.sent") { $0.filter { $0.topic == stack.topics.sent }.count == 2 }
            try await stack.publish(stack.topics.requested, key: "dup-c", json: Self.request("dup-1", number: number))
            try await stack.outputs.wait("three otp.sent") { $0.filter { $0.topic == stack.topics.sent }.count == 3 }
            let sent = stack.outputs.on(stack.topics.sent)
            #expect(Set(sent.compactMap { $0.string("verificationId") }).count == 1, "the first outcome, re-emitted")
            #expect(Set(sent.compactMap(\.key)) == ["dup-a", "dup-b", "dup-c"], "each output keeps its input's key")
            #expect(Set(sent.compactMap { $0.header("ce_id") }).count == 3, "each output is its own event")
            #expect(stack.sandbox.stats.sends == 1)
            #expect(stack.outputs.on(stack.topics.failed).isEmpty)
        }
    }

    @Test("rule 4: a duplicate submissionId is not validated twice")
    func duplicateSubmission() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            try await stack.publish(stack.topics.requested, key: "sub-1", json: Self.request("sub-1", number: freshMobileNumber()))
            try await stack.outputs.wait("otp.sent") { $0.contains { $0.topic == stack.topics.sent } }
            let verificationID = try #require(stack.outputs.on(stack.topics.sent).first?.string("verificationId"))
            let code = try #require(stack.sandbox.lastCode(verificationId: verificationID))
            stack.logs.noteSecret(code)
            let submission = #"{"verificationId":"\#(verificationID)","code":"\#(code)","submissionId":"attempt-1"}"#
            try await stack.publish(stack.topics.submitted, key: "sub-1", json: submission)
            try await stack.publish(stack.topics.submitted, key: "sub-1", json: submission)
            try await stack.outputs.wait("two otp.verified") { $0.filter { $0.topic == stack.topics.verified }.count == 2 }
            #expect(stack.sandbox.stats.validations == 1)
            #expect(stack.outputs.on(stack.topics.failed).isEmpty, "not ALREADY_VERIFIED: the first outcome is re-emitted")
        }
    }

    @Test("rule 4: after a retryable failure the same requestId is processed anew")
    func retryableIsNotRemembered() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            // A 506 that does not name the pending verification is a retryable failure.
            stack.sandbox.setPendingNamesVerification(false)
            let number = freshMobileNumber()
            try await stack.publish(stack.topics.requested, key: "r-a", json: Self.request("first", number: number))
            try await stack.outputs.wait("first sent") { $0.contains { $0.topic == stack.topics.sent } }
            // A second request for the same number while its code is pending: 506, retryable.
            try await stack.publish(stack.topics.requested, key: "r-b", json: Self.request("again", number: number))
            try await stack.outputs.wait("506") { $0.contains { $0.string("reason") == "REQUEST_ALREADY_EXISTS" } }
            let failure = try #require(stack.outputs.on(stack.topics.failed).first)
            #expect((failure.json["retryable"] as? Bool) == true)
            #expect((failure.json["providerCode"] as? Int) == 506)
            // The cool-down passes; the same requestId is sent this time.
            stack.sandbox.advanceClock(by: .seconds(120))
            try await stack.publish(stack.topics.requested, key: "r-b", json: Self.request("again", number: number))
            try await stack.outputs.wait("sent again") { $0.filter { $0.topic == stack.topics.sent }.count == 2 }
            #expect(stack.sandbox.stats.sends == 3)
        }
    }

    @Test("a second request for a number with a pending code is otp.sent with that verification, resumed")
    func pendingIsResumed() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            let number = freshMobileNumber()
            try await stack.publish(stack.topics.requested, key: "res-a", json: Self.request("res-first", number: number))
            try await stack.outputs.wait("first sent") { $0.contains { $0.topic == stack.topics.sent } }
            try await stack.publish(stack.topics.requested, key: "res-b", json: Self.request("res-second", number: number))
            try await stack.outputs.wait("second sent") { $0.filter { $0.topic == stack.topics.sent }.count == 2 }
            let sent = stack.outputs.on(stack.topics.sent)
            let first = try #require(sent.first { $0.string("requestId") == "res-first" })
            let second = try #require(sent.first { $0.string("requestId") == "res-second" })
            #expect(first.json["resumed"] == nil)
            #expect((second.json["resumed"] as? Bool) == true)
            #expect(second.string("verificationId") == first.string("verificationId"))
            #expect(((second.json["timeoutSeconds"] as? Int) ?? 0) > 0, "the provider said how long the code has left")
            #expect(stack.outputs.on(stack.topics.failed).isEmpty)
            #expect(stack.sandbox.stats.sends == 2)
        }
    }

    @Test("rule 5: records with the same key are handled in order")
    func sameKeyInOrder() async throws {
        try await withWorkerStack(partitions: 1) { stack in
            try await stack.startWorker()
            stack.sandbox.setLatency(.milliseconds(50))
            for index in 0..<8 {
                try await stack.publish(stack.topics.requested, key: "same-key", json: Self.request("order-\(index)", number: freshMobileNumber()))
            }
            try await stack.outputs.wait("eight sent") { $0.filter { $0.topic == stack.topics.sent }.count == 8 }
            let order = stack.outputs.on(stack.topics.sent).compactMap { $0.string("requestId") }
            #expect(order == (0..<8).map { "order-\($0)" })
        }
    }

    @Test("rule 5: 200 requests with distinct keys and 200 ms provider latency take a small fraction of the sequential time")
    func concurrency() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker {
                $0.maxInFlight = 256
                // Attempts get a third of it. At 15 s (5 s an attempt), 24 of the 200 first
                // attempts once got no answer in a fresh clone's full run on two loaded cores;
                // their retries found the code already sent (506), as the provider would answer,
                // which the sends count below does not allow.
                $0.providerDeadline = .seconds(30)
            }
            stack.sandbox.setLatency(.milliseconds(200))
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await stack.publish(stack.topics.requested, key: "c-\(index)", json: Self.request("c-\(index)", number: freshMobileNumber()))
                    }
                }
                try await group.waitForAll()
            }
            try await stack.outputs.wait(timeout: .seconds(60), "200 sent") { $0.filter { $0.topic == stack.topics.sent }.count == 200 }
            let elapsed = ContinuousClock.now - started
            let sequential = Duration.milliseconds(200) * 200
            print("200 requests at 200 ms latency: \(elapsed) (sequential: \(sequential), ratio \(elapsed / sequential))")
            #expect(elapsed < sequential / 4, "took \(elapsed)")
            #expect(stack.sandbox.stats.sends == 200)
        }
    }
}
