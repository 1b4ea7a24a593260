import Foundation
import Kafka
import KafkaTestSupport
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// A DLQ holding dead letters of both inputs, under renamed topics: each is judged as a record
/// of the input it came from, and re-driven to that input only when told to.
@Suite("Replay of a DLQ: dead letters judged as what they were, and re-driven", .timeLimit(.minutes(3)))
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
    /// that is no input (`stray`). The worker is stopped, so re-driven copies stay put.
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

    @Test("--republish plans each dead letter back to its own input, writes only with --execute, and stops at --limit")
    func redrive() async throws {
        try await withWorkerStack { stack in
            let topics = try await Self.renamed(stack)
            try await Self.deadLetters(stack, topics)
            let range = ReplayRange(topic: topics.deadLetter)
            let logger = stack.logs.logger(label: "replay")

            let plan = Locked<[ReplayRepublishStep]>([])
            let planned = try await Replay.republish(
                range, to: .original, topics: topics, consumerConfiguration: Self.consumer(stack), producer: nil,
                logger: logger, step: { step in plan.withLock { $0.append(step) } })
            let dry = plan.withLock { $0 }
            #expect(planned == 3)
            #expect(Dictionary(uniqueKeysWithValues: dry.map { ($0.key ?? "", $0.target) }) == [
                "bad-req": topics.requested, "bad-sub": topics.submitted, "fixed": topics.requested, "stray": nil,
            ])
            #expect(dry.allSatisfy { !$0.written })
            #expect(dry.first { $0.key == "bad-sub" }?.text.hasPrefix("would write \(topics.deadLetter)[") == true)
            #expect(try await Self.count(topics.requested, stack) == 1, "a dry run writes nothing")
            #expect(try await Self.count(topics.submitted, stack) == 1, "a dry run writes nothing")

            let done = Locked<[ReplayRepublishStep]>([])
            let written = try await Replay.republish(
                range, to: .original, topics: topics, consumerConfiguration: Self.consumer(stack), producer: stack.producer,
                logger: logger, step: { step in done.withLock { $0.append(step) } })
            #expect(written == 3)
            let executed = done.withLock { $0 }
            // Partitions interleave differently from one read to the next: the same lines, in any order.
            #expect(executed.map { $0.text.replacingOccurrences(of: "wrote ", with: "would write ") }.sorted() == dry.map(\.text).sorted(),
                    "the dry run printed the plan that --execute carried out")
            #expect(try await Self.count(topics.requested, stack) == 3)
            #expect(try await Self.count(topics.submitted, stack) == 2)
            var copies: [KafkaConsumerRecord] = []
            try await ReplaySession(consumerConfiguration: Self.consumer(stack), logger: logger)
                .read(ReplayRange(topic: topics.submitted)) { copies.append($0) }
            let copy = try #require(copies.first { $0.headers.last(named: Replay.markerHeader) != nil })
            let source = try #require(executed.first { $0.key == "bad-sub" })
            #expect(copy.headers.last(named: Replay.markerHeader)?.stringValue == "\(topics.deadLetter)/\(source.partition)/\(source.offset)")
            #expect(!copy.headers.contains { $0.name.hasPrefix("otp.errors.") })

            var limited = range
            limited.limit = 1
            let one = try await Replay.republish(
                limited, to: .topic(topics.requested), topics: topics, consumerConfiguration: Self.consumer(stack), producer: nil,
                logger: logger)
            #expect(one == 1)

            // The filters, by the dead letter's own kind: a verificationId exists only in a submission.
            for (filter, expected) in [("verificationId", ["bad-sub"]), ("key", ["fixed"]), ("limit", ["one"])] {
                var filtered = range
                switch filter {
                case "verificationId": filtered.verificationId = "v-bad"
                case "key": filtered.key = "fixed"
                default: filtered.limit = 1
                }
                let keys = Locked<[String]>([])
                try await Replay.inspect(filtered, consumerConfiguration: Self.consumer(stack), topics: topics, logger: logger) { verdict in
                    keys.withLock { $0.append(verdict.key ?? "") }
                }
                let shown = keys.withLock { $0 }
                #expect(filter == "limit" ? shown.count == 1 : shown == expected, "\(filter): \(shown)")
            }
        }
    }

    @Test("otp-worker replay --republish prints the plan by the --topic-* names, and writes it only with --execute")
    func commandRedrives() async throws {
        try await withWorkerStack { stack in
            let topics = try await Self.renamed(stack)
            try await Self.deadLetters(stack, topics)
            let arguments = ["--brokers", stack.cluster.bootstrapServers, "--topic", topics.deadLetter] + topics.runArguments
                + ["--kafka-option", "fetch.wait.max.ms=10", "--republish"]
            let dry = try await Self.replay("replay-redrive-dry", arguments, [:])
            #expect(dry.contains("would write \(topics.deadLetter)["), "\(dry)")
            #expect(dry.contains("key=bad-sub to \(topics.submitted)"), "\(dry)")
            #expect(dry.contains("key=fixed to \(topics.requested)"), "\(dry)")
            #expect(dry.contains("skip \(topics.deadLetter)["), "\(dry)")
            #expect(dry.contains("dry run: 3 records"), "\(dry)")
            #expect(try await Self.count(topics.submitted, stack) == 1, "a dry run writes nothing")

            let one = try await Self.replay("replay-redrive-limit", arguments + ["--limit", "1", "--execute"], [:])
            #expect(one.contains("republished 1 records"), "\(one)")
            #expect(try await Self.count(topics.requested, stack) + Self.count(topics.submitted, stack) == 3)
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
