import Kafka
import Testing

@testable import OTPWorker

/// What the worker asks of its idempotency topic, and the CreateTopics request it sends: pure.
@Suite("The idempotency topic's requirement", .timeLimit(.minutes(1)))
struct IdempotencyTopicRequirementTests {
    let requirement = IdempotencyTopicRequirement(
        topic: "otp.idempotency", inputs: ["otp.requested", "otp.submitted"], retention: .seconds(900),
        replicationFactor: 3, bootstrapServers: "kafka:9092")

    @Test("a missing topic is created with the widest input's partition count, compacted, deleted after twice the retention")
    func createRequest() {
        let verdict = requirement.judge(partitionCounts: ["otp.requested": 6, "otp.submitted": 4, "otp.sent": 6])
        let expected = KafkaTopicSpecification(
            name: "otp.idempotency", partitions: 6, replicationFactor: 3,
            configs: [
                "cleanup.policy": "compact,delete", "retention.ms": "1800000",
                "min.compaction.lag.ms": "900000", "segment.ms": "900000",
            ])
        #expect(verdict == .create(expected))
        #expect(requirement.createCommand(partitions: 6) == "kafka-topics.sh --bootstrap-server kafka:9092 --create --topic otp.idempotency "
            + "--partitions 6 --replication-factor 3 --config cleanup.policy=compact,delete --config min.compaction.lag.ms=900000 "
            + "--config retention.ms=1800000 --config segment.ms=900000")
    }

    @Test("the broker's default replication factor is left to the broker")
    func defaultReplication() {
        var requirement = requirement
        requirement.replicationFactor = nil
        guard case .create(let specification) = requirement.judge(partitionCounts: ["otp.requested": 3, "otp.submitted": 3]) else {
            Issue.record("expected a creation")
            return
        }
        #expect(specification.replicationFactor == nil)
        #expect(!requirement.createCommand(partitions: 3).contains("--replication-factor"))
    }

    @Test("a topic with enough partitions goes on to its configuration; too few is a problem with the fix")
    func partitions() {
        #expect(requirement.judge(partitionCounts: ["otp.requested": 3, "otp.submitted": 3, "otp.idempotency": 3]) == .checkConfiguration)
        #expect(requirement.judge(partitionCounts: ["otp.requested": 3, "otp.submitted": 3, "otp.idempotency": 6]) == .checkConfiguration)
        guard case .problem(let problem) = requirement.judge(partitionCounts: ["otp.requested": 6, "otp.submitted": 3, "otp.idempotency": 2])
        else {
            Issue.record("expected a problem")
            return
        }
        #expect(problem.topic == "otp.idempotency")
        #expect(problem.problem.contains("2 partitions, fewer than otp.requested's 6"))
        #expect(problem.fix == "kafka-topics.sh --bootstrap-server kafka:9092 --alter --topic otp.idempotency --partitions 6")
    }

    @Test("a missing input topic is named")
    func missingInput() {
        guard case .problem(let problem) = requirement.judge(partitionCounts: ["otp.requested": 3]) else {
            Issue.record("expected a problem")
            return
        }
        #expect(problem.topic == "otp.submitted")
        #expect(problem.fix.contains("--create --topic otp.submitted"))
    }

    @Test("the cleanup policy must include compact", arguments: [
        ("compact", true), ("compact,delete", true), ("delete, compact", true), ("delete", false), (nil, false),
    ] as [(String?, Bool)])
    func cleanupPolicy(policy: String?, accepted: Bool) {
        let configuration = policy.map { ["cleanup.policy": $0] } ?? [:]
        let problem = requirement.judge(configuration: configuration)
        #expect((problem == nil) == accepted)
        if let problem {
            #expect(problem.fix.hasPrefix("kafka-configs.sh --bootstrap-server kafka:9092 --alter --entity-type topics --entity-name otp.idempotency"))
        }
    }
}
