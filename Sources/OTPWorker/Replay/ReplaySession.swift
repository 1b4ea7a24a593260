#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging

/// Which records `replay` reads: a topic, optionally some partitions, and an offset range, a
/// time range, or one `requestId` (searched in the whole range).
public struct ReplayRange: Sendable {
    public var topic: String
    /// Partitions to read; all when nil.
    public var partitions: [Int32]?
    /// First and last offset (inclusive); the oldest retained and the current end when nil.
    public var fromOffset: Int64?
    public var toOffset: Int64?
    /// Records timestamped at or after `since` and before `until`.
    public var since: Date?
    public var until: Date?
    /// Only records whose `requestId` (decoded, or readable from a broken record) is this.
    public var requestId: String?
    /// Only records with this key (as UTF-8 text).
    public var key: String?
    /// Only records whose `verificationId` (decoded, or readable from a broken record) is this.
    public var verificationId: String?
    /// At most this many records shown or re-published (those the filters let through).
    public var limit: Int?

    public init(topic: String) {
        self.topic = topic
    }
}

extension ReplayRange {
    /// Whether the filters let a record with this verdict through.
    func selects(_ verdict: ReplayVerdict) -> Bool {
        if let requestId, verdict.requestId != requestId { return false }
        if let key, verdict.key != key { return false }
        if let verificationId, verdict.verificationId != verificationId { return false }
        return true
    }
}

/// Reads a range of a topic without joining a group and without committing, in offset order
/// per partition, and stops at the range's end as it stood when the session started.
public struct ReplaySession: Sendable {
    let consumerConfiguration: KafkaConsumerConfiguration
    let logger: Logger
    let timeout: Duration?

    /// - Parameters:
    ///   - consumerConfiguration: brokers and client properties; its group id is ignored.
    ///   - timeout: when given, reading that has not reached the range's end by then throws.
    public init(consumerConfiguration: KafkaConsumerConfiguration, logger: Logger, timeout: Duration? = nil) {
        var configuration = consumerConfiguration
        configuration.groupID = nil
        self.consumerConfiguration = configuration
        self.logger = logger
        self.timeout = timeout
    }

    /// Reads `range`, calling `body` for every record in it, and `progress` with (done, total)
    /// every 5,000 records or each second, whichever comes first (``ReplayProgress``), and at
    /// the end. Returns how many records were read.
    /// - Parameter limit: asked before each record; when true, reading stops there (a
    ///   `--limit` met needs no more of a long range).
    /// - Throws: `KafkaError` when the topic cannot be read; whatever `body` throws.
    @discardableResult
    public func read(
        _ range: ReplayRange,
        limit: () -> Bool = { false },
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        _ body: (KafkaConsumerRecord) async throws -> Void
    ) async throws -> Int {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        do {
            let count = try await read(range, consumer: consumer, limit: limit, progress: progress, body)
            await consumer.close(timeout: .seconds(5))
            return count
        } catch {
            await consumer.close(timeout: .seconds(5))
            throw error
        }
    }

    private func read(
        _ range: ReplayRange, consumer: KafkaConsumer, limit: () -> Bool,
        progress: @escaping @Sendable (Int, Int) -> Void, _ body: (KafkaConsumerRecord) async throws -> Void
    ) async throws -> Int {
        let partitions: [Int32]
        if let chosen = range.partitions {
            partitions = chosen
        } else {
            partitions = (0..<Int32(try await consumer.partitionCount(of: range.topic))).map { $0 }
        }
        let topicPartitions = partitions.map { KafkaTopicPartition(topic: range.topic, partition: $0) }
        let sinceOffsets = try await offsets(at: range.since, topicPartitions, consumer)
        let untilOffsets = try await offsets(at: range.until, topicPartitions, consumer)
        var starts: [KafkaTopicPartition: KafkaOffset] = [:]
        var ends: [KafkaTopicPartition: Int64] = [:]  // exclusive
        for partition in topicPartitions {
            let marks = try await consumer.watermarks(partition)
            var start = max(marks.low, range.fromOffset ?? marks.low)
            if let since = sinceOffsets?[partition] { start = max(start, since) }
            var end = min(marks.high, (range.toOffset ?? .max - 1) + 1)
            if let until = untilOffsets?[partition] { end = min(end, until) }
            guard start < end else { continue }
            starts[partition] = .exactly(start)
            ends[partition] = end
        }
        let total = ends.reduce(0) { $0 + Int($1.value - (starts[$1.key].flatMap { if case .exactly(let s) = $0 { s } else { nil } } ?? 0)) }
        guard !starts.isEmpty else { return 0 }
        try consumer.assign(starts)
        // Closing the consumer ends its record sequence: the loop below then stops short.
        let watchdog = timeout.map { timeout in
            Task {
                // Cancelled when the read ends in time: then the caller closes, not this.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await consumer.close(timeout: .seconds(1))
            }
        }
        defer { watchdog?.cancel() }
        var remaining = ends
        var read = 0
        var reports = ReplayProgress()
        for try await record in consumer.records {
            let partition = record.topicPartition
            guard let end = remaining[partition], record.offset < end else { continue }
            if limit() { return read }
            read += 1
            try await body(record)
            if record.offset + 1 >= end { remaining[partition] = nil }
            if reports.shouldReport(read: read, now: .now) {
                progress(read, total)
            }
            if remaining.isEmpty { break }
        }
        guard remaining.isEmpty else {
            throw KafkaError(code: KafkaError.timedOutCode, name: "_TIMED_OUT",
                             message: "\(range.topic) not read to its end within \(timeout.map { "\($0)" } ?? "the consumer's life")")
        }
        progress(read, total)
        return read
    }

    private func offsets(at date: Date?, _ partitions: [KafkaTopicPartition], _ consumer: KafkaConsumer) async throws -> [KafkaTopicPartition: Int64]? {
        guard let date else { return nil }
        return try await consumer.offsets(forTimestamp: Int64(date.timeIntervalSince1970 * 1000), partitions: partitions)
    }
}
