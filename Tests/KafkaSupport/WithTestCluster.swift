import Kafka
import KafkaEmbedded

/// Runs `body` with the cluster of one test, and cleans up however `body` ends.
///
/// On the embedded cluster (the default) this is `withEmbeddedCluster(brokers:topics:)`:
/// `brokers` brokers, `topics` (name to partition count) created before `body`. On an external
/// cluster (``TestKafka``) `brokers` is whatever it has; `topics` are created under names of
/// this test's own (``TestKafkaCluster/topic(_:)``) with `configs` (topic-level settings by
/// name, e.g. `cleanup.policy`, which the embedded cluster ignores), and every topic named
/// through the cluster is deleted afterwards.
///
/// Either way the clients tracked through ``TestClients`` are closed before the cluster goes
/// or the topics are deleted.
/// - Throws: what `body` throws; ``ExternalClusterError`` when an external cluster does not
///   answer or refuses the topics.
public func withTestCluster<T: Sendable>(
    brokers: Int = 3, topics: [String: Int] = [:], configs: [String: [String: String]] = [:],
    _ body: (TestKafkaCluster) async throws -> T
) async throws -> T {
    let clients = TestClients()
    guard let external = TestKafka.externalBrokers else {
        return try await withEmbeddedCluster(brokers: brokers, topics: topics) { embedded in
            try await clients.run(TestKafkaCluster(embedded: embedded), body)
        }
    }
    if let unreachable = await TestKafka.reachability.value { throw unreachable }
    let replicationFactor = try TestKafka.replicationFactor()
    let admin = try KafkaAdmin(
        client: KafkaClientSettings(bootstrapServers: external, clientID: "otp-test-admin"), logger: TestKafka.adminLogger)
    let cluster = TestKafkaCluster(brokers: external, admin: admin, replicationFactor: replicationFactor)
    do {
        try await cluster.createTopics(topics, configs: configs)
        let result = try await clients.run(cluster, body)
        await cluster.deleteTestTopics()
        await admin.close()
        return result
    } catch {
        await cluster.deleteTestTopics()
        await admin.close()
        throw error
    }
}
