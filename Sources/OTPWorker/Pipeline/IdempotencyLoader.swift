#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging

/// Reads idempotency partitions back from the idempotency topic, so that a worker that gets a
/// partition (after a restart, a crash or a rebalance) remembers what its previous owner sent.
struct IdempotencyLoader: Sendable {
    /// Where to read: the worker's brokers and client properties, no group.
    let consumerConfiguration: KafkaConsumerConfiguration
    let topic: String
    let retention: Duration
    let logger: Logger
    var timeout: Duration = .seconds(60)

    /// Every remembered outcome in `partitions` of the idempotency topic, up to their current
    /// ends, skipping entries older than the retention and values that are not idempotency records.
    /// A key written twice (two owners racing through a hand-over) yields its last entry, the
    /// one compaction keeps: every owner and every restart then agrees on it.
    /// - Throws: `KafkaError` when the topic cannot be read within the timeout.
    func load(_ partitions: Set<Int32>) async throws -> [(key: String, outcome: RememberedOutcome, at: Date)] {
        var configuration = consumerConfiguration
        configuration.client.clientID += "-idempotency"
        // A read of a few seconds has no lag worth watching, and its series would sit beside
        // the worker's own consumer's under the same `client` dimension.
        configuration.client.statisticsInterval = nil
        // A bulk read into memory, not a reader paced by the provider. Under the worker's own
        // bounds (a second at its pace) librdkafka 2.0.2 would stop fetching for up to a second
        // after each fetch round (docs/kafka-layer.md, trap 13). These bounds read as fast as
        // librdkafka's defaults and still bound memory below the defaults' 64 MB.
        // `--kafka-option` values still win.
        configuration.prefetchRecords = 50_000
        configuration.prefetchKilobytes = 16 * 1024
        let session = ReplaySession(consumerConfiguration: configuration, logger: logger, timeout: timeout)
        var range = ReplayRange(topic: topic)
        range.partitions = partitions.sorted()
        let oldest = Date().addingTimeInterval(-Double(retention.components.seconds))
        var latest: [String: (outcome: RememberedOutcome, at: Date)] = [:]
        try await session.read(range) { record in
            guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }), let value = record.value,
                let (outcome, at) = RememberedOutcome.parse(recordValue: value)
            else { return }
            latest[key] = at >= oldest ? (outcome, at) : nil
        }
        return latest.map { (key: $0.key, outcome: $0.value.outcome, at: $0.value.at) }
    }
}
