import Foundation
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
    /// - Throws: `KafkaError` when the topic cannot be read within the timeout.
    func load(_ partitions: Set<Int32>) async throws -> [(key: String, outcome: RememberedOutcome, at: Date)] {
        var configuration = consumerConfiguration
        configuration.groupID = nil
        configuration.client.clientID += "-idempotency"
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        do {
            let entries = try await read(partitions, with: consumer)
            await consumer.close(timeout: .seconds(5))
            return entries
        } catch {
            await consumer.close(timeout: .seconds(5))
            throw error
        }
    }

    private func read(_ partitions: Set<Int32>, with consumer: KafkaConsumer) async throws -> [(key: String, outcome: RememberedOutcome, at: Date)] {
        let deadline = ContinuousClock.now + timeout
        var ends: [Int32: Int64] = [:]
        var starts: [KafkaTopicPartition: KafkaOffset] = [:]
        for partition in partitions {
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
            let marks = try await consumer.watermarks(topicPartition, timeout: .seconds(10))
            guard marks.high > marks.low else { continue }
            ends[partition] = marks.high
            starts[topicPartition] = .exactly(marks.low)
        }
        guard !starts.isEmpty else { return [] }
        try consumer.assign(starts)
        let oldest = Date().addingTimeInterval(-Double(retention.components.seconds))
        var entries: [(key: String, outcome: RememberedOutcome, at: Date)] = []
        var remaining = ends
        let watchdog = Task {
            try? await Task.sleep(until: deadline)
            await consumer.close(timeout: .seconds(1))
        }
        defer { watchdog.cancel() }
        for try await record in consumer.records {
            if let key = record.key.map({ String(decoding: $0, as: UTF8.self) }), let value = record.value,
                let (outcome, at) = RememberedOutcome.parse(recordValue: value), at >= oldest {
                entries.append((key, outcome, at))
            }
            if let end = remaining[record.partition], record.offset + 1 >= end { remaining[record.partition] = nil }
            if remaining.isEmpty { break }
        }
        guard remaining.isEmpty else {
            throw KafkaError(code: KafkaError.timedOutCode, name: "_TIMED_OUT", message: "idempotency partitions not read within \(timeout)")
        }
        return entries
    }
}
