import CRdKafka
import Logging
import Primitives

/// Kafka's Admin API for the few things the worker and its tools provision: topic metadata,
/// CreateTopics, DescribeConfigs and DeleteTopics.
///
/// Every call blocks a dedicated thread, never the cooperative pool (docs/kafka-layer.md,
/// traps 3 and 9), and is bounded by its `timeout`. Call ``close()`` when done.
public final class KafkaAdmin: Sendable {
    let handle: RDKafkaHandle
    let logger: Logger

    /// Connects to the brokers of `client` (its pass-through properties, such as
    /// `security.protocol` and `sasl.*`, apply as for producers and consumers).
    /// - Throws: `KafkaError.configuration` when librdkafka refuses a property.
    public init(client: KafkaClientSettings, logger: Logger) throws(KafkaError) {
        var settings = client
        // No statistics: the reporter is never fed.
        settings.statisticsInterval = nil
        let callbacks = RDKafkaCallbacks(
            logger: logger, statistics: KafkaStatisticsReporter(.producer),
            onError: { error in logger.debug("admin client error", metadata: [KafkaLogKey.error: "\(error)"]) })
        handle = try RDKafkaHandle(
            type: RD_KAFKA_PRODUCER, properties: settings.baseProperties + settings.sortedOverrides, callbacks: callbacks)
        self.logger = logger
    }

    /// Every topic the brokers know, with its partition count. Asks for all topics, so that a
    /// broker with automatic topic creation does not create a topic because it was asked about.
    /// - Throws: `KafkaError` when the brokers do not answer within `timeout`.
    public func partitionCounts(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [String: Int] {
        let handle = self.handle
        let result: Result<[String: Int], KafkaError> = await DedicatedThread.run(name: "rdkafka-admin") {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.pointer, 1, nil, &metadata, Int32(clamping: timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { return .failure(KafkaError(err)) }
            defer { rd_kafka_metadata_destroy(metadata) }
            var counts: [String: Int] = [:]
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
                counts[String(cString: name)] = Int(topic.partition_cnt)
            }
            return .success(counts)
        }
        serveMainQueue()
        return try result.get()
    }

    /// Destroys the client, waiting at most `timeout`.
    public func close(timeout: Duration = .seconds(10)) async {
        _ = await handle.destroy(timeout: timeout)
    }

    /// Serves the main queue, where the client's log lines and errors wait (`log.queue=true`).
    func serveMainQueue() {
        _ = rd_kafka_poll(handle.pointer, 0)
    }
}
