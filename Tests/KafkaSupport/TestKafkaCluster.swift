import Kafka
import KafkaEmbedded
import Primitives
import TestSupport
import Testing

/// The Kafka cluster one test runs against: an embedded cluster of its own, or the external
/// cluster ``TestKafka`` names, shared with other tests and other runs.
///
/// Every topic name a test uses goes through ``topic(_:)``. On an external cluster that makes
/// it a name of this test's own, so that no test reads another's records, nor a run those of
/// an earlier one; on the embedded cluster the name stays as it is, and the tests run exactly
/// as they did before external clusters were possible. Made by ``withTestCluster(brokers:topics:configs:_:)``.
public final class TestKafkaCluster: Sendable {
    /// The comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    /// The embedded cluster, for its fault injection; nil on an external cluster.
    public let embedded: EmbeddedKafkaCluster?
    /// Creates and deletes the test's topics on an external cluster; nil on the embedded one.
    let admin: KafkaAdmin?
    /// Copies of each partition of the topics created on an external cluster.
    let replicationFactor: Int
    /// The names ``topic(_:)`` gave out, by the name asked for.
    private let names = Locked<[String: String]>([:])

    init(embedded: EmbeddedKafkaCluster) {
        self.bootstrapServers = embedded.bootstrapServers
        self.embedded = embedded
        self.admin = nil
        self.replicationFactor = 1
    }

    init(brokers: String, admin: KafkaAdmin, replicationFactor: Int) {
        self.bootstrapServers = brokers
        self.embedded = nil
        self.admin = admin
        self.replicationFactor = replicationFactor
    }

    /// The name this test uses for topic `name`: the same for every call in one test, and, on
    /// an external cluster, `name` with 8 random hex digits appended (`otp.sent-1f0c9a2e`).
    /// Asking again with a name it gave out returns that name.
    public func topic(_ name: String) -> String {
        guard embedded == nil else { return name }
        return names.withLock { names in
            if let given = names[name] { return given }
            // Already this test's own: mapping it again would give the test a second topic.
            if names.values.contains(name) { return name }
            let hex = String(UInt32.random(in: .min ... .max), radix: 16)
            let given = "\(name)-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
            names[name] = given
            return given
        }
    }

    /// Creates topic `name` (through ``topic(_:)``) and returns the name it has. On an external
    /// cluster, returns once the brokers' metadata shows it; `configs` are topic-level settings
    /// there (the embedded cluster has none).
    /// - Throws: ``ExternalClusterError`` when the brokers refuse it, `KafkaError` from the
    ///   embedded cluster, ``TimedOut`` when the metadata does not show it within 30 s.
    @discardableResult
    public func createTopic(_ name: String, partitions: Int, configs: [String: String] = [:]) async throws -> String {
        try await createTopics([name: partitions], configs: [name: configs])
        return topic(name)
    }

    /// Creates `topics` (name to partition count, names through ``topic(_:)``) with one
    /// CreateTopics request on an external cluster, and waits until the metadata shows them.
    func createTopics(_ topics: [String: Int], configs: [String: [String: String]]) async throws {
        if let embedded {
            for (name, partitions) in topics.sorted(by: { $0.key < $1.key }) {
                try embedded.createTopic(name, partitions: partitions)
            }
            return
        }
        guard let admin, !topics.isEmpty else { return }
        let specifications = topics.sorted { $0.key < $1.key }.map { name, partitions in
            KafkaTopicSpecification(
                name: topic(name), partitions: partitions, replicationFactor: replicationFactor, configs: configs[name] ?? [:])
        }
        do throws(KafkaError) {
            try await admin.createTopics(specifications, timeout: .seconds(30))
        } catch {
            throw ExternalClusterError(
                "cannot create the test topics \(specifications.map(\.name)) on \(bootstrapServers) "
                    + "(replication factor \(replicationFactor), \(TestKafka.replicationFactorVariable)): \(error.name): \(error.message)")
        }
        // CreateTopics answers once the controller has them; a broker's metadata can lag.
        try await eventually(timeout: .seconds(30), "the test topics in the brokers' metadata") {
            let counts = try await admin.partitionCounts()
            return specifications.allSatisfy { counts[$0.name] == $0.partitions }
        }
    }

    /// The embedded cluster, for a test that injects faults.
    /// - Throws: ``ExternalClusterError`` on an external cluster: such a test must carry the
    ///   `.embeddedClusterOnly` trait, and so never gets here.
    public var faults: EmbeddedKafkaCluster {
        get throws(ExternalClusterError) {
            guard let embedded else {
                throw ExternalClusterError("only the embedded cluster injects faults: give this test the .embeddedClusterOnly trait")
            }
            return embedded
        }
    }

    /// Deletes every topic of this test that exists on the external cluster: those created
    /// here, and those the code under test created under a name from ``topic(_:)``.
    func deleteTestTopics() async {
        guard let admin else { return }
        let ours = names.withLock { Array($0.values) }.sorted()
        guard !ours.isEmpty else { return }
        do throws(KafkaError) {
            let existing = try await admin.partitionCounts()
            let present = ours.filter { existing[$0] != nil }
            if !present.isEmpty { try await admin.deleteTopics(present, timeout: .seconds(30)) }
        } catch {
            // Not the test's failure, but worth knowing on a shared cluster.
            print("warning: the test topics \(ours) may be left on \(bootstrapServers): \(error.name): \(error.message)")
        }
    }
}
