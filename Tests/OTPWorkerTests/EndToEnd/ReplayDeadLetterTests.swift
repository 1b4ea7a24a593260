import Foundation
import Kafka
import KafkaTestSupport
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// A DLQ holding dead letters of both inputs, under renamed topics: each is judged as a record
/// of the input it came from.
@Suite("Replay of a DLQ: dead letters judged as what they were", .timeLimit(.minutes(3)))
struct ReplayDeadLetterTests {
    /// The renamed inputs and DLQ, and the stack's other topics.
    static func renamed(_ stack: WorkerStack) async throws -> WorkerTopics {
        var topics = stack.topics
        topics.requested = try await stack.cluster.createTopic("acme.requested", partitions: stack.partitions)
        topics.submitted = try await stack.cluster.createTopic("acme.submitted", partitions: stack.partitions)
        topics.deadLetter = try await stack.cluster.createTopic(
            "acme.dlq", partitions: stack.partitions, configs: ["max.message.bytes": "2097152"])
        return topics
    }

    static func consumer(_ stack: WorkerStack) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(bootstrapServers: stack.cluster.bootstrapServers, groupID: nil, properties: fastConsumerOptions)
    }

    /// How many records `topic` holds now.
    static func count(_ topic: String, _ stack: WorkerStack) async throws -> Int {
        try await ReplaySession(consumerConfiguration: consumer(stack), logger: stack.logs.logger(label: "count"))
            .read(ReplayRange(topic: topic)) { _ in }
    }

    /// A worker on the renamed topics dead-letters a broken request (`bad-req`) and a broken
    /// submission (`bad-sub`); then, as an older worker would have, the DLQ gains a request
    /// dead-lettered under the default name that decodes today (`fixed`), and one from a topic
    /// that is no input (`stray`).
    static func deadLetters(_ stack: WorkerStack, _ topics: WorkerTopics) async throws {
        let worker = try await stack.startWorker { $0.topics = topics }
        try await stack.publish(topics.requested, key: "bad-req", json: #"{"requestId":"r-bad","countryCode":"x1","mobileNumber":"9876543210"}"#)
        try await stack.publish(topics.submitted, key: "bad-sub", json: #"{"verificationId":"v-bad","requestId":"r-sub","submissionId":"s-bad"}"#)
        try await eventually("both dead-lettered") { try await count(topics.deadLetter, stack) == 2 }
        await worker.stop()
        for (key, origin, json) in [
            ("fixed", WorkerTopics().requested,
             #"{"requestId":"fixed-after-a-rule-change","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#),
            ("stray", "elsewhere", #"{"requestId":"r-stray"}"#),
        ] {
            let headers = DeadLetterHeaders.headers(
                original: [], topic: origin, partition: 0, offset: 7, stage: .decode, reason: "INVALID_EVENT", message: "an older rule")
            try await stack.publish(topics.deadLetter, key: key, json: json, headers: headers)
        }
    }

    @Test("each dead letter is judged as a record of its own input, beside why it was dead-lettered")
    func judgedAsOriginal() async throws {
        try await withWorkerStack { stack in
            let topics = try await Self.renamed(stack)
            try await Self.deadLetters(stack, topics)
            let verdicts = Locked<[String: ReplayVerdict]>([:])
            let read = try await Replay.inspect(
                ReplayRange(topic: topics.deadLetter), consumerConfiguration: Self.consumer(stack), topics: topics,
                logger: stack.logs.logger(label: "replay")) { verdict in verdicts.withLock { $0[verdict.key ?? ""] = verdict } }
            let byKey = verdicts.withLock { $0 }
            #expect(read == 4)
            let request = try #require(byKey["bad-req"])
            #expect(request.event == "otp.requested")
            #expect(request.decodeError?.field == "countryCode")
            #expect(request.deadLetter?.topic == topics.requested)
            #expect(request.deadLetter?.reason == "INVALID_EVENT")
            #expect(request.text.contains("[dead-lettered from \(topics.requested)["), "\(request.text)")
            let submission = try #require(byKey["bad-sub"])
            #expect(submission.event == "otp.submitted", "not a request missing its requestId")
            #expect(submission.decodeError?.field == "code", "\(submission.text)")
            #expect(submission.verificationId == "v-bad")
            #expect(submission.deadLetter?.topic == topics.submitted)
            #expect(submission.deadLetter?.message?.contains("code") == true, "\(submission.text)")
            #expect(byKey["fixed"]?.event == "otp.requested", "the default name maps to the requested kind")
            #expect(byKey["fixed"]?.action == .send)
            #expect(byKey["stray"]?.action == .unknownOrigin)
            #expect(byKey["stray"]?.text.contains("'elsewhere' is neither input topic") == true)
            let json = try JSONSerialization.jsonObject(with: Data(submission.json.utf8)) as? [String: Any]
            #expect((json?["deadLettered"] as? [String: Any])?["reason"] as? String == "INVALID_EVENT")
        }
    }

    @Test("otp-worker replay judges a DLQ by the renamed topics of OTP_TOPIC_*")
    func commandJudgesByEnvironment() async throws {
        try await withWorkerStack { stack in
            let topics = try await Self.renamed(stack)
            try await Self.deadLetters(stack, topics)
            let environment = [
                "OTP_TOPIC_REQUESTED": topics.requested, "OTP_TOPIC_SUBMITTED": topics.submitted, "OTP_TOPIC_DLQ": topics.deadLetter,
                "OTP_TOPIC_IDEMPOTENCY": topics.idempotency, "KAFKA_OPTION_FETCH_WAIT_MAX_MS": "10",
            ]
            let output = try await Self.replay(
                "replay-dlq-env", ["--brokers", stack.cluster.bootstrapServers, "--topic", topics.deadLetter], environment)
            #expect(output.contains("key=bad-sub otp.submitted requestId=r-sub"), "\(output)")
            #expect(output.contains("[dead-lettered from \(topics.submitted)["), "\(output)")
            #expect(output.contains("key=fixed otp.requested requestId=fixed-after-a-rule-change"), "\(output)")
            #expect(output.contains("key=stray [dead-lettered from elsewhere[0]@7: INVALID_EVENT: an older rule] → not judged"), "\(output)")
        }
    }

    /// Runs `otp-worker replay` to its end and returns what it printed.
    static func replay(_ name: String, _ arguments: [String], _ environment: [String: String]) async throws -> String {
        let child = try ChildWorker(name: name, command: "replay", arguments: arguments, environment: environment)
        let status = try #require(await child.waitForExit(timeout: .seconds(60)), "otp-worker replay did not exit")
        #expect(status == 0, "\(child.logText)")
        return child.logText
    }
}
