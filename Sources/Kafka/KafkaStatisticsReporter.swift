#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Metrics
import Primitives

/// Turns librdkafka's statistics JSON (`statistics.interval.ms`) into swift-metrics series,
/// and takes each series away once it no longer describes the client.
///
/// Every series carries the `client` dimension (``Role``). Consumers report per owned
/// partition; a partition's series go the moment it is revoked, so that summing a figure over
/// a group's members never counts a partition twice. Any series that a statistics document no
/// longer carries (a broker gone, a partition whose figure became unknown) goes too, and
/// ``removeAll()`` takes the rest when the client closes.
///
/// Series (``Name``): `kafka_broker_rtt_seconds{client,broker}` for both roles;
/// `kafka_consumer_lag{client,topic,partition}` and `kafka_committed_offset{...}` for
/// consumers; `kafka_producer_queue_messages{client}`, `kafka_producer_queue_bytes{client}`,
/// `kafka_producer_queue_latency_seconds{client,broker}` and the counters
/// `kafka_producer_tx_errors_total`, `kafka_producer_tx_retries_total` and
/// `kafka_producer_request_timeouts_total` (`{client,broker}`) for producers.
public final class KafkaStatisticsReporter: Sendable {
    /// Which kind of client reports; the value of the `client` dimension.
    public enum Role: String, Sendable {
        case consumer, producer
    }

    /// The metric names, fixed so dashboards can rely on them.
    public enum Name {
        /// Gauge: average round trip of requests per broker, in seconds.
        public static let brokerRoundTrip = "kafka_broker_rtt_seconds"
        /// Gauge: records behind the high watermark, per owned partition.
        public static let consumerLag = "kafka_consumer_lag"
        /// Gauge: the last committed offset, per owned partition.
        public static let committedOffset = "kafka_committed_offset"
        /// Gauge: records in the producer's queues, not yet acknowledged.
        public static let producerQueueMessages = "kafka_producer_queue_messages"
        /// Gauge: the bytes of those records.
        public static let producerQueueBytes = "kafka_producer_queue_bytes"
        /// Gauge: average time a record waited in librdkafka's queue before it was sent, per
        /// broker, in seconds.
        public static let producerQueueLatency = "kafka_producer_queue_latency_seconds"
        /// Counter: failed transmissions of requests, per broker.
        public static let producerTransmitErrors = "kafka_producer_tx_errors_total"
        /// Counter: requests sent again, per broker.
        public static let producerTransmitRetries = "kafka_producer_tx_retries_total"
        /// Counter: requests that timed out, per broker.
        public static let producerRequestTimeouts = "kafka_producer_request_timeouts_total"
    }

    /// The role this reporter reports for.
    public let role: Role
    private let factory: any MetricsFactory
    private let state = Locked(State())

    /// Creates a reporter for one client.
    ///
    /// - Parameter factory: where the series go; the process-wide backend by default.
    public init(_ role: Role, factory: any MetricsFactory = MetricsSystem.factory) {
        self.role = role
        self.factory = factory
    }

    /// Records one statistics document. Malformed documents are ignored: statistics are advisory.
    public func record(json: UnsafeRawBufferPointer) {
        guard let statistics = try? JSONDecoder().decode(KafkaStatistics.self, from: Data(json)) else { return }
        let client = role.rawValue
        state.withLock { state in
            var pass = Pass(client: client, factory: factory)
            // Moved, not copied: the pass changes the series in place.
            swap(&pass.state, &state)
            switch role {
            case .consumer: pass.recordConsumer(statistics)
            case .producer: pass.recordProducer(statistics)
            }
            state = pass.finish()
        }
    }

    /// The consumer owns `partitions` from now on: their series are reported.
    public func assigned(_ partitions: some Sequence<KafkaTopicPartition>) {
        state.withLock { $0.owned.formUnion(partitions) }
    }

    /// The consumer gave `partitions` up: their series go at once.
    public func revoked(_ partitions: some Sequence<KafkaTopicPartition>) {
        let revoked = Set(partitions)
        state.withLock { state in
            state.owned.subtract(revoked)
            for (key, gauge) in state.gauges where key.partition.map(revoked.contains) == true {
                gauge.destroy()
                state.gauges[key] = nil
            }
        }
    }

    /// Removes every series and forgets what is owned: the client is closing, or its whole
    /// assignment is being replaced.
    public func removeAll() {
        state.withLock { state in
            for gauge in state.gauges.values { gauge.destroy() }
            for total in state.totals.values { total.counter.destroy() }
            state = State()
        }
    }
}

extension KafkaStatisticsReporter {
    /// One series: its name and dimensions, and the partition it describes, if any.
    struct SeriesKey: Hashable {
        var label: String
        var dimensions: [String]
        var partition: KafkaTopicPartition?
    }

    struct State {
        var owned: Set<KafkaTopicPartition> = []
        var gauges: [SeriesKey: Gauge] = [:]
        /// Counters with the total librdkafka reported last: librdkafka gives totals, a counter
        /// takes increments.
        var totals: [SeriesKey: (counter: Counter, total: Int64)] = [:]
    }

    /// Recording one document: every series it carries is kept, the others go in `finish`.
    struct Pass {
        let client: String
        let factory: any MetricsFactory
        var state = State()
        var seen: Set<SeriesKey> = []

        mutating func recordConsumer(_ statistics: KafkaStatistics) {
            recordRoundTrips(statistics)
            for (topic, topicStatistics) in statistics.topics ?? [:] {
                for (number, figures) in topicStatistics.partitions ?? [:] {
                    // "-1" is librdkafka's unassigned partition; others are reported only while owned.
                    guard let partition = Int32(number), partition >= 0 else { continue }
                    let owned = KafkaTopicPartition(topic: topic, partition: partition)
                    guard state.owned.contains(owned) else { continue }
                    let dimensions = [("client", client), ("topic", topic), ("partition", number)]
                    if let lag = figures.consumerLag, lag >= 0 {
                        gauge(Name.consumerLag, dimensions, lag, partition: owned)
                    }
                    if let committed = figures.committedOffset, committed >= 0 {
                        gauge(Name.committedOffset, dimensions, committed, partition: owned)
                    }
                }
            }
        }

        mutating func recordProducer(_ statistics: KafkaStatistics) {
            recordRoundTrips(statistics)
            if let queued = statistics.queuedMessages {
                gauge(Name.producerQueueMessages, [("client", client)], queued)
            }
            if let bytes = statistics.queuedBytes {
                gauge(Name.producerQueueBytes, [("client", client)], bytes)
            }
            for (name, broker) in statistics.brokers ?? [:] where (broker.nodeID ?? -1) >= 0 {
                let dimensions = [("client", client), ("broker", name)]
                if let latency = broker.internalLatency?.average, latency >= 0 {
                    gauge(Name.producerQueueLatency, dimensions, latency / 1_000_000)
                }
                if let errors = broker.transmitErrors {
                    total(Name.producerTransmitErrors, dimensions, errors)
                }
                if let retries = broker.transmitRetries {
                    total(Name.producerTransmitRetries, dimensions, retries)
                }
                if let timeouts = broker.requestTimeouts {
                    total(Name.producerRequestTimeouts, dimensions, timeouts)
                }
            }
        }

        private mutating func recordRoundTrips(_ statistics: KafkaStatistics) {
            for (name, broker) in statistics.brokers ?? [:] {
                guard let average = broker.rtt?.average, average > 0 else { continue }
                gauge(Name.brokerRoundTrip, [("client", client), ("broker", name)], average / 1_000_000)
            }
        }

        private mutating func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Double, partition: KafkaTopicPartition? = nil) {
            let key = SeriesKey(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] }, partition: partition)
            seen.insert(key)
            let gauge = state.gauges[key] ?? Gauge(label: label, dimensions: dimensions, factory: factory)
            state.gauges[key] = gauge
            gauge.record(value)
        }

        private mutating func total(_ label: String, _ dimensions: [(String, String)], _ total: Int64) {
            let key = SeriesKey(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
            seen.insert(key)
            guard let (counter, last) = state.totals[key] else {
                let counter = Counter(label: label, dimensions: dimensions, factory: factory)
                counter.increment(by: max(total, 0))
                state.totals[key] = (counter, total)
                return
            }
            // A total never falls for one client; if it ever does, count from the new one.
            counter.increment(by: total >= last ? total - last : max(total, 0))
            state.totals[key] = (counter, total)
        }

        /// The state after this document: series it did not carry are gone.
        mutating func finish() -> State {
            for (key, gauge) in state.gauges where !seen.contains(key) {
                gauge.destroy()
                state.gauges[key] = nil
            }
            for (key, total) in state.totals where !seen.contains(key) {
                total.counter.destroy()
                state.totals[key] = nil
            }
            return state
        }
    }
}
