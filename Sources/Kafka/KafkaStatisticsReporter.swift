import Foundation
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
        guard let base = json.baseAddress,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes: base, count: json.count)),
            let root = object as? [String: Any]
        else { return }
        record(root)
    }

    func record(_ root: [String: Any]) {
        if let queued = root["msg_cnt"] as? NSNumber {
            Gauge(label: "kafka_queued_messages", dimensions: [("client", client)]).record(queued.doubleValue)
        }
        if let brokers = root["brokers"] as? [String: Any] {
            for (name, value) in brokers {
                guard let broker = value as? [String: Any], let rtt = broker["rtt"] as? [String: Any],
                    let average = rtt["avg"] as? NSNumber, average.int64Value > 0
                else { continue }
                Gauge(label: "kafka_broker_rtt_seconds", dimensions: [("client", client), ("broker", name)])
                    .record(average.doubleValue / 1_000_000)
            }
        }
        guard let topics = root["topics"] as? [String: Any] else { return }
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (partition, stats) in partitions where partition != "-1" {
                guard let stats = stats as? [String: Any] else { continue }
                let dimensions = [("client", client), ("topic", topic), ("partition", partition)]
                if let lag = stats["consumer_lag"] as? NSNumber, lag.int64Value >= 0 {
                    Gauge(label: "kafka_consumer_lag", dimensions: dimensions).record(lag.doubleValue)
                }
                if let committed = stats["committed_offset"] as? NSNumber, committed.int64Value >= 0 {
                    Gauge(label: "kafka_committed_offset", dimensions: dimensions).record(committed.doubleValue)
                }
            }
        }
    }
}
