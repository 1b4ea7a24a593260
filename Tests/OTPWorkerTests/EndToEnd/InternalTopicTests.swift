import Foundation
import Kafka
import KafkaTestSupport
import Logging
import TestSupport
import Testing

@testable import OTPWorker

/// The idempotency topic at start. librdkafka 2.0.2's mock brokers implement neither
/// CreateTopics nor DescribeConfigs, so on the embedded cluster a missing topic shows the clear
/// exit, not the creation (`IdempotencyTopicRequirementTests` checks the request); on an
/// external cluster the worker creates it (`createdOnARealBroker`).
@Suite("The idempotency topic at start", .timeLimit(.minutes(2)))
struct InternalTopicTests {
    /// The contract's six topics, three partitions each.
    static let inputs = ["otp.requested": 3, "otp.submitted": 3, "otp.sent": 3, "otp.verified": 3, "otp.failed": 3, "otp.dlq": 3]

    /// Starts `otp-worker run` against `cluster`, with the test's topic names, and returns its
    /// exit status, how long it took and its last log line.
    func exitOfWorker(_ name: String, _ cluster: TestKafkaCluster) async throws -> (status: Int32?, took: Duration, last: String) {
        let started = ContinuousClock.now
        let child = try ChildWorker(
            name: name,
            arguments: [
                "--brokers", cluster.bootstrapServers, "--group-id", "g-\(name)", "--provider-url", "http://127.0.0.1:9",
                "--customer-id", "C-TEST", "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--log-format", "json",
            ] + WorkerTopics.named(on: cluster).runArguments,
            environment: ["MESSAGE_CENTRAL_PASSWORD": "not-used", "PATH": "/usr/bin:/bin"])
        let status = await child.waitForExit(timeout: .seconds(45))
        if status == nil { child.kill() }
        let lines = child.logText.split(separator: "\n")
        return (status, .now - started, lines.last.map(String.init) ?? "")
    }

    /// Runs `body` with an admin client of `cluster`, closed however `body` ends.
    func withAdmin(_ cluster: TestKafkaCluster, _ body: (KafkaAdmin) async throws -> Void) async throws {
        let admin = try KafkaAdmin(client: KafkaClientSettings(bootstrapServers: cluster.bootstrapServers), logger: Logger(label: "test.admin"))
        do {
            try await body(admin)
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
    }

    @Test(
        "a missing idempotency topic the brokers will not create: exit 78 within 30 s, naming the topic and the command",
        .embeddedClusterOnly("only the embedded cluster's mock brokers refuse CreateTopics; a real broker creates the topic (createdOnARealBroker)"))
    func missingTopic() async throws {
        try await withTestCluster(brokers: 3, topics: Self.inputs) { cluster in
            let idempotency = WorkerTopics.named(on: cluster).idempotency
            let (status, took, last) = try await exitOfWorker("no-idempotency", cluster)
            #expect(status == 78)
            #expect(took < .seconds(30))
            #expect(last.contains("\(idempotency) does not exist and the worker cannot create it"), "\(last)")
            #expect(last.contains("kafka-topics.sh --bootstrap-server \(cluster.bootstrapServers) --create --topic \(idempotency) --partitions 3"), "\(last)")
            #expect(last.contains("cleanup.policy=compact,delete"), "\(last)")
        }
    }

    /// The partition counts are checked before anything else, so this holds on a real broker
    /// too (the topic's configuration does not matter).
    @Test("an idempotency topic with fewer partitions than the inputs: exit 78 within 30 s with the fix")
    func tooFewPartitions() async throws {
        var topics = Self.inputs
        topics["otp.idempotency"] = 2
        try await withTestCluster(brokers: 3, topics: topics) { cluster in
            let names = WorkerTopics.named(on: cluster)
            let (status, took, last) = try await exitOfWorker("narrow-idempotency", cluster)
            #expect(status == 78)
            #expect(took < .seconds(30))
            #expect(last.contains("\(names.idempotency) has 2 partitions, fewer than \(names.requested)'s 3"), "\(last)")
            #expect(last.contains("--alter --topic \(names.idempotency) --partitions 3"), "\(last)")
        }
    }

    @Test("a good topic is accepted; a broker that cannot report its configuration gets a warning; readiness follows")
    func goodTopic() async throws {
        var topics = Self.inputs
        topics["otp.idempotency"] = 3
        // A real broker reports the configuration, so the topic is made as the worker would.
        try await withTestCluster(brokers: 3, topics: topics, configs: WorkerTopics.externalConfigs(partitions: 3)) { cluster in
            try await withAdmin(cluster) { admin in
                let readiness = ReadinessState()
                var configuration = WorkerConfiguration(instanceID: "unit")
                configuration.topics = WorkerTopics.named(on: cluster)
                configuration.internalReplicationFactor = 1
                try await InternalTopics.ensure(
                    configuration.idempotencyTopic(bootstrapServers: cluster.bootstrapServers), admin: admin,
                    strictness: .required, readiness: readiness, logger: Logger(label: "test.topics"))
                #expect(readiness.isReady(condition: "topics"))
                #expect(try await admin.partitionCounts()[configuration.topics.idempotency] == 3)
            }
        }
    }

    @Test("replay's check only warns and creates nothing")
    func advisory() async throws {
        try await withTestCluster(brokers: 3, topics: Self.inputs) { cluster in
            try await withAdmin(cluster) { admin in
                let readiness = ReadinessState()
                var configuration = WorkerConfiguration(instanceID: "unit")
                configuration.topics = WorkerTopics.named(on: cluster)
                try await InternalTopics.ensure(
                    configuration.idempotencyTopic(bootstrapServers: cluster.bootstrapServers), admin: admin,
                    strictness: .advisory, readiness: readiness, logger: Logger(label: "test.topics"))
                #expect(!readiness.isReady(condition: "topics"))
                #expect(try await admin.partitionCounts()[configuration.topics.idempotency] == nil)
            }
        }
    }
}
