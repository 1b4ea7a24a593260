#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Metrics

/// Turns librdkafka's statistics JSON (`statistics.interval.ms`) into swift-metrics gauges.
///
/// Gauges: `kafka_consumer_lag` (per topic and partition, consumers only),
/// `kafka_committed_offset`, `kafka_queued_messages` (records waiting in librdkafka) and
/// `kafka_broker_rtt_seconds` (average round trip per broker). Every gauge carries the
/// `client` dimension (the configured client role) so producers and consumers stay apart.
public struct KafkaStatisticsReporter: Sendable {
    /// The value of the `client` dimension, e.g. `producer` or `consumer`.
    public let client: String

    /// Creates a reporter for one client.
    public init(client: String) {
        self.client = client
    }

    /// Records one statistics document. Malformed documents are ignored: statistics are advisory.
    public func record(json: UnsafeRawBufferPointer) {
        guard let statistics = try? JSONDecoder().decode(Statistics.self, from: Data(json)) else { return }
        record(statistics)
    }

    private func record(_ statistics: Statistics) {
        if let queued = statistics.queued {
            Gauge(label: "kafka_queued_messages", dimensions: [("client", client)]).record(queued)
        }
        for (name, broker) in statistics.brokers ?? [:] {
            guard let average = broker.rtt?.average, average > 0 else { continue }
            Gauge(label: "kafka_broker_rtt_seconds", dimensions: [("client", client), ("broker", name)])
                .record(average / 1_000_000)
        }
        for (topic, topicStatistics) in statistics.topics ?? [:] {
            for (partition, stats) in topicStatistics.partitions ?? [:] where partition != "-1" {
                let dimensions = [("client", client), ("topic", topic), ("partition", partition)]
                if let lag = stats.consumerLag, lag >= 0 {
                    Gauge(label: "kafka_consumer_lag", dimensions: dimensions).record(lag)
                }
                if let committed = stats.committedOffset, committed >= 0 {
                    Gauge(label: "kafka_committed_offset", dimensions: dimensions).record(committed)
                }
            }
        }
    }
}

/// The part of librdkafka's statistics document (STATISTICS.md) that becomes gauges.
/// Every field is optional: producers and consumers fill different parts, and a field
/// missing from one document must not cost the others.
private struct Statistics: Decodable {
    struct RoundTrip: Decodable {
        var average: Double?
        enum CodingKeys: String, CodingKey { case average = "avg" }
    }

    struct Broker: Decodable {
        var rtt: RoundTrip?
    }

    struct Partition: Decodable {
        var consumerLag: Double?
        var committedOffset: Double?
        enum CodingKeys: String, CodingKey {
            case consumerLag = "consumer_lag"
            case committedOffset = "committed_offset"
        }
    }

    struct Topic: Decodable {
        var partitions: [String: Partition]?
    }

    var queued: Double?
    var brokers: [String: Broker]?
    var topics: [String: Topic]?

    enum CodingKeys: String, CodingKey {
        case queued = "msg_cnt"
        case brokers, topics
    }
}
