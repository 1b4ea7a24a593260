import Kafka
import KafkaTestSupport
import Logging
import TestSupport
import Testing

@testable import OTPWorker

extension InternalTopicTests {
    /// What the embedded cluster cannot show: a real broker creates the topic the worker asks
    /// for, with the inputs' partition count and the configuration of
    /// `IdempotencyTopicRequirement` (docs/deployment.md), and the next start accepts it.
    @Test(
        "on a real broker a missing idempotency topic is created with the inputs' partitions, compact,delete and twice the retention",
        .externalClusterOnly("the embedded cluster's mock brokers implement neither CreateTopics nor DescribeConfigs"))
    func createdOnARealBroker() async throws {
        try await withTestCluster(topics: Self.inputs) { cluster in
            try await withAdmin(cluster) { admin in
                var configuration = WorkerConfiguration(instanceID: "unit")
                configuration.topics = WorkerTopics.named(on: cluster)
                configuration.internalReplicationFactor = try TestKafka.replicationFactor()
                let requirement = configuration.idempotencyTopic(bootstrapServers: cluster.bootstrapServers)
                let topic = requirement.topic
                #expect(try await admin.partitionCounts()[topic] == nil, "missing before the worker starts")

                let readiness = ReadinessState()
                try await InternalTopics.ensure(
                    requirement, admin: admin, strictness: .required, readiness: readiness, logger: Logger(label: "test.topics"))
                #expect(readiness.isReady(condition: "topics"))
                try await eventually("\(topic) in the brokers' metadata") { try await admin.partitionCounts()[topic] != nil }
                #expect(try await admin.partitionCounts()[topic] == 3, "as many partitions as the inputs")

                let settings = try await admin.topicConfiguration(topic)
                #expect(settings["cleanup.policy"] == "compact,delete")
                // Twice the memory's retention (900 s by default): deleted only when no worker can use it.
                #expect(settings["retention.ms"] == String(2 * 900 * 1000))

                // The next start finds the topic and checks its configuration, which now passes.
                let again = ReadinessState()
                try await InternalTopics.ensure(
                    requirement, admin: admin, strictness: .required, readiness: again, logger: Logger(label: "test.topics"))
                #expect(again.isReady(condition: "topics"))
            }
        }
    }
}
