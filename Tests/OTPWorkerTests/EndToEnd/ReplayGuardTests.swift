import FraudGuard
import Foundation
import Kafka
import KafkaTestSupport
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

@Suite("End to end: replay shows the fraud guard's verdict", .timeLimit(.minutes(2)))
struct ReplayGuardTests {
    @Test("a request the guard refused is judged again against the group's sends read from Kafka; replay counts nothing")
    func verdicts() async throws {
        try await withWorkerStack { stack in
            var policy = GuardPolicy()
            policy.numberLimit = RateLimit(count: 1, window: .seconds(600))
            policy.denyPrefixes = [DeniedPrefix(countryCode: "44", digits: "70")]
            let worker = try await stack.startWorker { $0.guardPolicy = policy }
            let number = freshMobileNumber()
            stack.logs.noteSecret(number)
            for id in ["first", "second"] {
                try await stack.publish(stack.topics.requested, key: id, json: #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(number)"}"#)
                try await stack.outputs.wait("\(id) decided") { $0.contains { $0.string("requestId") == id } }
            }
            #expect(stack.outputs.matching("requestId", "second").first?.string("reason") == "RATE_LIMITED")
            await worker.stop()
            try await stack.publish(stack.topics.requested, key: "denied", json: #"{"requestId":"denied","countryCode":"44","mobileNumber":"7012345678"}"#)
            try await stack.publish(stack.topics.requested, key: "other", json: #"{"requestId":"other","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#)

            let verdicts = Locked<[ReplayVerdict]>([])
            let inspect = {
                try await Replay.inspect(
                    ReplayRange(topic: stack.topics.requested),
                    consumerConfiguration: KafkaConsumerConfiguration(bootstrapServers: stack.cluster.bootstrapServers, groupID: nil, properties: fastConsumerOptions),
                    topics: stack.topics, guardPolicy: policy, logger: stack.logs.logger(label: "replay")) { verdict in
                    verdicts.withLock { $0.append(verdict) }
                }
            }
            // Twice: a replay must not count what it judges, or the second would refuse "other".
            for _ in 0..<2 {
                verdicts.withLock { $0 = [] }
                #expect(try await inspect() == 4)
                let byKey = Dictionary(uniqueKeysWithValues: verdicts.withLock { $0 }.map { ($0.key ?? "", $0) })
                #expect(byKey["first"]?.action == .reemit && byKey["first"]?.guardVerdict == nil, "a re-emission is never judged")
                let second = try #require(byKey["second"])
                #expect(second.guardVerdict?.hasPrefix("RATE_LIMITED by number_limit (retry after ") == true, "\(second.text)")
                #expect(second.text.contains("; guard: RATE_LIMITED"), "\(second.text)")
                #expect(byKey["denied"]?.guardVerdict?.hasPrefix("SEND_BLOCKED by deny_prefixes") == true)
                #expect(byKey["other"]?.guardVerdict == "admit")
                #expect(second.json.contains(#""guard":"RATE_LIMITED by number_limit"#))
            }
        }
    }
}
