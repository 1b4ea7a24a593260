import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import OTPEvents
import Primitives
import Testing

@testable import OTPWorker

@Suite("Replay: what the worker would do, without a group and without commits", .timeLimit(.minutes(2)))
struct ReplayTests {
    static func request(_ id: String, extra: String = "") -> String {
        #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"\#(extra)}"#
    }

    func consumerConfiguration(_ stack: WorkerStack) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(bootstrapServers: stack.cluster.bootstrapServers, groupID: nil, properties: fastConsumerOptions)
    }

    @Test("inspect shows decode errors, expiry, idempotency hits and the provider call, and calls nobody")
    func inspect() async throws {
        try await withWorkerStack { stack in
            let worker = try await stack.startWorker()
            let old = ISO8601DateFormatter().string(from: Date(timeIntervalSinceNow: -3600))
            try await stack.publish(stack.topics.requested, key: "done", json: Self.request("done"))
            try await stack.publish(stack.topics.requested, key: "bad", json: #"{"requestId":"bad-1","countryCode":"x1","mobileNumber":"9876543210"}"#)
            try await stack.outputs.wait("two outcomes") { $0.filter { $0.topic != stack.topics.deadLetter }.count == 2 }
            await worker.stop()
            try await stack.publish(stack.topics.requested, key: "new", json: Self.request("new"))
            try await stack.publish(stack.topics.requested, key: "stale", json: Self.request("stale", extra: #","requestedAt":"\#(old)""#))
            let sendsBefore = stack.sandbox.stats.sends

            let verdicts = Locked<[ReplayVerdict]>([])
            let count = try await Replay.inspect(
                ReplayRange(topic: stack.topics.requested), consumerConfiguration: consumerConfiguration(stack),
                topics: stack.topics, logger: stack.logs.logger(label: "replay")) { verdict in
                verdicts.withLock { $0.append(verdict) }
            }
            let byKey = Dictionary(uniqueKeysWithValues: verdicts.withLock { $0 }.map { ($0.key ?? "", $0) })
            #expect(count == 4)
            #expect(byKey["done"]?.action == .reemit)
            #expect(byKey["done"]?.rememberedType == "otp.sent")
            // Then and now: sent then, and a fresh judgement would send again today.
            #expect(byKey["done"]?.then == "otp.sent")
            #expect(byKey["done"]?.freshAction == .send)
            #expect(byKey["done"]?.differs == false)
            #expect(byKey["done"]?.text.contains("; then otp.sent, fresh now send: same") == true, "\(byKey["done"]?.text ?? "")")
            #expect(byKey["bad"]?.action == .deadLetter)
            #expect(byKey["bad"]?.decodeError?.field == "countryCode")
            #expect(byKey["bad"]?.requestId == "bad-1")
            #expect(byKey["new"]?.action == .send)
            #expect(byKey["new"]?.providerCall?.contains("+91******") == true)
            #expect(byKey["stale"]?.action == .expire)
            #expect((byKey["stale"]?.ageSeconds ?? 0) >= 3599)
            #expect(stack.sandbox.stats.sends == sendsBefore, "a dry run calls nobody")
            for verdict in byKey.values {
                let object = try JSONSerialization.jsonObject(with: Data(verdict.json.utf8)) as? [String: Any]
                #expect(object?["action"] as? String == verdict.action.rawValue)
                #expect(!verdict.text.contains("9876543210"), "numbers are masked")
            }

            // An hour later the request is too old: sent then, expired now, and the verdict says they differ.
            let later = Locked<[ReplayVerdict]>([])
            var done = ReplayRange(topic: stack.topics.requested)
            done.key = "done"
            try await Replay.inspect(done, consumerConfiguration: consumerConfiguration(stack), topics: stack.topics,
                                     logger: stack.logs.logger(label: "replay"), now: { Date(timeIntervalSinceNow: 3600) }) { verdict in
                later.withLock { $0.append(verdict) }
            }
            let hourLater = try #require(later.withLock { $0.first })
            #expect(hourLater.action == .reemit)
            #expect(hourLater.freshAction == .expire)
            #expect(hourLater.differs == true)

            let only = Locked<[ReplayVerdict]>([])
            var range = ReplayRange(topic: stack.topics.requested)
            range.requestId = "new"
            try await Replay.inspect(range, consumerConfiguration: consumerConfiguration(stack), topics: stack.topics,
                                     logger: stack.logs.logger(label: "replay")) { verdict in only.withLock { $0.append(verdict) } }
            #expect(only.withLock { $0.map(\.key) } == ["new"])
        }
    }

    @Test("republish copies a DLQ range into an input topic with keys, headers and timestamps, plus a replay marker")
    func republish() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            let report = try await stack.publish(
                stack.topics.requested, key: "broken", json: #"{"requestId":"fix-me","countryCode":"91"}"#,
                headers: [KafkaHeader(name: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")])
            try await stack.outputs.wait("dead-lettered") { $0.contains { $0.topic == stack.topics.deadLetter } }
            let letter = try #require(stack.outputs.on(stack.topics.deadLetter).first)

            var range = ReplayRange(topic: stack.topics.deadLetter)
            range.requestId = "fix-me"
            let reader = try KafkaConsumer(configuration: consumerConfiguration(stack), logger: stack.logs.logger(label: "check"))
            let target = try await stack.cluster.createTopic("replay-target", partitions: 1)
            let copied = try await Replay.republish(
                range, to: .topic(target), topics: stack.topics, consumerConfiguration: consumerConfiguration(stack), producer: stack.producer,
                logger: stack.logs.logger(label: "replay"))
            #expect(copied == 1)
            try reader.assign([KafkaTopicPartition(topic: target, partition: 0): .beginning])
            var iterator = reader.records.makeAsyncIterator()
            let copy = try #require(try await iterator.next())
            await reader.close()
            #expect(copy.key == Array("broken".utf8))
            #expect(copy.value == letter.record.value)
            #expect(copy.timestampMilliseconds == letter.record.timestampMilliseconds)
            #expect(copy.headers.last(named: "traceparent") != nil)
            #expect(!copy.headers.contains { $0.name.hasPrefix("otp.errors.") })
            #expect(copy.headers.last(named: Replay.markerHeader)?.stringValue == "\(stack.topics.deadLetter)/\(letter.record.partition)/\(letter.record.offset)")
            _ = report
        }
    }
}
