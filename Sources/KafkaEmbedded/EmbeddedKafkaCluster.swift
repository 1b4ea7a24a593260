#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CRdKafka
import Kafka
import Primitives

/// A Kafka-protocol cluster inside this process, on loopback sockets (librdkafka's mock cluster).
///
/// Any Kafka client can reach it through `bootstrapServers`, kcat included. It supports produce,
/// fetch, consumer groups with commits and rebalances, and fault injection. It does not hide
/// aborted transactional records (librdkafka 2.0.2), so it cannot test exactly-once.
///
/// Call `shutdown()` when done, or use `withEmbeddedCluster { }`.
public final class EmbeddedKafkaCluster: Sendable {
    /// The comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    /// The broker ids, `1...brokerCount`.
    public let brokerIDs: [Int32]

    private let cluster: Locked<ClusterPointers?>

    /// Starts a cluster of `brokers` brokers on loopback.
    /// - Throws: `KafkaError` when librdkafka cannot create it.
    public init(brokers: Int = 3) throws(KafkaError) {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        var errorText = [CChar](repeating: 0, count: 256)
        // The mock cluster lives on a handle of its own; this producer never sends anything.
        let conf = rd_kafka_conf_new()!
        _ = rd_kafka_conf_set(conf, "log_level", "3", &errorText, errorText.count)
        guard let owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(code: -1, name: "_MOCK", message: "cannot create the cluster's handle: \(text)")
        }
        guard let mock = rd_kafka_mock_cluster_new(owner, Int32(brokers)) else {
            rd_kafka_destroy(owner)
            throw KafkaError(code: -1, name: "_MOCK", message: "cannot start the embedded cluster")
        }
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
        self.brokerIDs = (1...Int32(brokers)).map { $0 }
        self.cluster = Locked(ClusterPointers(owner: owner, mock: mock))
    }

    /// Creates a topic. Topics a client asks for that do not exist are created with the mock's
    /// defaults, so create the ones whose partition count matters first.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = try withMock { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor)) }
        try check(err, "create topic \(name)")
    }

    /// Takes a broker down: its connections close and it refuses new ones until `setBrokerUp`.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try check(try withMock { rd_kafka_mock_broker_set_down($0, broker) }, "set broker \(broker) down")
    }

    /// Brings a broker taken down by `setBrokerDown` back.
    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try check(try withMock { rd_kafka_mock_broker_set_up($0, broker) }, "set broker \(broker) up")
    }

    /// Adds `roundTrip` of latency to every response of one broker.
    public func setRoundTripTime(_ roundTrip: Duration, broker: Int32) throws(KafkaError) {
        let milliseconds = Int32(clamping: roundTrip.milliseconds)
        try check(try withMock { rd_kafka_mock_broker_set_rtt($0, broker, milliseconds) }, "set rtt")
    }

    /// Makes the next `errors.count` requests of one type, to any broker, fail with these codes.
    public func pushRequestErrors(_ request: KafkaRequestType, _ errors: [KafkaErrorCode]) throws(KafkaError) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        try withMock { mock in
            codes.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(mock, request.rawValue, codes.count, $0.baseAddress) }
        }
    }

    /// Moves a partition's leadership to another broker.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try check(try withMock { rd_kafka_mock_partition_set_leader($0, topic, partition, broker) }, "set leader")
    }

    /// Moves the group coordinator of `group` to `broker`.
    public func setGroupCoordinator(group: String, broker: Int32) throws(KafkaError) {
        try check(try withMock { rd_kafka_mock_coordinator_set($0, "group", group, broker) }, "set coordinator")
    }

    /// Stops the brokers and frees the cluster. Safe to call more than once.
    public func shutdown() {
        guard let pointers = cluster.withLock({ state in defer { state = nil }; return state }) else { return }
        rd_kafka_mock_cluster_destroy(pointers.mock)
        rd_kafka_destroy(pointers.owner)
    }

    /// ``shutdown()`` on a thread of its own: destroying the brokers joins their thread, which
    /// can take a second, too long to block a cooperative-pool thread.
    public func stop() async {
        await DedicatedThread.run(name: "kafka-mock-stop") { [self] in shutdown() }
    }

    deinit {
        shutdown()
    }

    private func withMock<T: Sendable>(_ body: @Sendable (OpaquePointer) -> T) throws(KafkaError) -> T {
        let result: T? = cluster.withLock { state in state.map { body($0.mock) } }
        guard let result else { throw KafkaError(code: -1, name: "_MOCK", message: "the embedded cluster was shut down") }
        return result
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: Int32(err.rawValue), name: String(cString: rd_kafka_err2name(err)),
                message: "\(what): \(String(cString: rd_kafka_err2str(err)))")
        }
    }
}

/// The handle and mock-cluster pointers; only touched under the cluster's lock.
private struct ClusterPointers: @unchecked Sendable {
    // @unchecked: raw C pointers; every use goes through `EmbeddedKafkaCluster.cluster`'s lock,
    // and rd_kafka_mock_* calls are themselves thread-safe.
    let owner: OpaquePointer
    let mock: OpaquePointer
}

/// Starts a cluster with the given topics, runs `body`, and shuts the cluster down.
public func withEmbeddedCluster<T>(
    brokers: Int = 3, topics: [String: Int] = [:],
    _ body: (EmbeddedKafkaCluster) async throws -> T
) async throws -> T {
    let cluster = try EmbeddedKafkaCluster(brokers: brokers)
    do {
        for (topic, partitions) in topics.sorted(by: { $0.key < $1.key }) {
            try cluster.createTopic(topic, partitions: partitions)
        }
        let result = try await body(cluster)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}
