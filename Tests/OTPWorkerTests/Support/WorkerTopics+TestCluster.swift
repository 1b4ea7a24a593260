import Kafka
import KafkaTestSupport

@testable import OTPWorker

extension WorkerTopics {
    /// The contract's topics under the names `cluster` gives this test: unchanged on the
    /// embedded cluster, the test's own on an external one (``TestKafkaCluster/topic(_:)``).
    static func named(on cluster: TestKafkaCluster) -> WorkerTopics {
        var topics = WorkerTopics()
        topics.requested = cluster.topic(topics.requested)
        topics.submitted = cluster.topic(topics.submitted)
        topics.sent = cluster.topic(topics.sent)
        topics.verified = cluster.topic(topics.verified)
        topics.failed = cluster.topic(topics.failed)
        topics.deadLetter = cluster.topic(topics.deadLetter)
        topics.idempotency = cluster.topic(topics.idempotency)
        return topics
    }

    /// The `otp-worker run` flags that name every topic, for workers started as processes.
    var runArguments: [String] {
        [
            "--topic-requested", requested, "--topic-submitted", submitted, "--topic-sent", sent,
            "--topic-verified", verified, "--topic-failed", failed, "--topic-dlq", deadLetter,
            "--topic-idempotency", idempotency,
        ]
    }

    /// Topic-level settings for the contract's topics on an external cluster, as
    /// docker-compose.yml's kafka-init creates them: a dead letter is the input plus its error
    /// headers, so the DLQ takes larger records; the idempotency topic is configured as the
    /// worker would create it, else the worker refuses it (a real broker reports its
    /// configuration; the embedded cluster ignores all this).
    static func externalConfigs(partitions: Int) -> [String: [String: String]] {
        let contract = WorkerTopics()
        let idempotency = WorkerConfiguration(instanceID: "test").idempotencyTopic(bootstrapServers: "")
        return [
            contract.deadLetter: ["max.message.bytes": "2097152"],
            contract.idempotency: idempotency.specification(partitions: partitions).configs,
        ]
    }
}
