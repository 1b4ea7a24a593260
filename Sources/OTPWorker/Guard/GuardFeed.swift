#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Kafka
import Logging
import Primitives

/// Every worker's view of the group's sends: reads `otp.sent` and `otp.verified` in full
/// (assigned, not as a group member, committing nothing) from the policy's lookback before
/// now, then follows them, and feeds a ``WorkerGuard``.
///
/// A worker that starts rebuilds the view from Kafka: it judges no send before it has read
/// both topics up to their ends as they stood when it started. Until a topic exists (outputs
/// auto-created by the first publish) the view goes on without it and looks again every few
/// seconds; records read twice then are not counted twice (the book recognises them).
final class GuardFeed: Sendable {
    private let guardian: WorkerGuard
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let sentTopic: String
    private let verifiedTopic: String
    /// This worker's `ce_source`: its own sends are counted when made, not read back.
    private let source: [UInt8]
    private let readiness: ReadinessState?
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let state = Locked<(stopped: Bool, consumer: KafkaConsumer?, tasks: [Task<Void, Never>])>((false, nil, []))

    init(
        guardian: WorkerGuard, consumerConfiguration: KafkaConsumerConfiguration, topics: WorkerTopics, source: String,
        readiness: ReadinessState?, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.source = Array(source.utf8)
        var configuration = consumerConfiguration
        configuration.groupID = nil
        configuration.groupInstanceID = nil
        configuration.client.clientID += "-guard"
        configuration.client.statisticsInterval = nil
        // A bulk read when the worker starts, then a reader that must see each send within a
        // bounded delay but need not see it at once: a fetch answers once 64 KB are there or
        // after 100 ms, whatever `--kafka-option` sets for the worker's own consumer. Answering
        // every record as it comes would wake this consumer's threads for each send of the
        // group (docs/benchmarks.md, "The fraud guard's cost").
        configuration.prefetchRecords = 50_000
        configuration.prefetchKilobytes = 16 * 1024
        configuration.client.properties["fetch.wait.max.ms"] = "100"
        configuration.client.properties["fetch.min.bytes"] = "65536"
        self.guardian = guardian
        self.consumerConfiguration = configuration
        self.sentTopic = topics.sent
        self.verifiedTopic = topics.verified
        self.readiness = readiness
        self.logger = logger
        self.now = now
        readiness?.set("guard", ready: false, reason: "reading the group's recent sends for the fraud guard")
    }

    /// Starts reading and the guard's clock.
    func start() {
        let reader = Task { await self.readUntilStopped() }
        let clock = Task {
            // The book's time moves in steps: expiries and recoveries are seen within a quarter second.
            while !Task.isCancelled {
                guardian.advance()
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        state.withLock { $0.tasks = [reader, clock] }
    }

    /// Stops reading; returns once the consumer is closed.
    func stop() async {
        let (consumer, tasks) = state.withLock { state in
            state.stopped = true
            return (state.consumer, state.tasks)
        }
        for task in tasks { task.cancel() }
        // Sends still waiting for the view go on to find the worker stopping, and are abandoned.
        guardian.markLoaded()
        await consumer?.close(timeout: .seconds(2))
        for task in tasks { await task.value }
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func readUntilStopped() async {
        var delay = Duration.seconds(1)
        while !stopped {
            do {
                let complete = try await readOnce()
                delay = .seconds(1)
                if complete { return }
            } catch {
                guard !stopped else { return }
                logger.warning("fraud guard: cannot read the group's sends; trying again", metadata: [
                    KafkaLogKey.error: "\(error)", "retry-in": "\(delay)",
                ])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// One consumer's life: true when it read until stopped, false when it ended to pick up a
    /// topic that did not exist when it started.
    private func readOnce() async throws -> Bool {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        let registered = state.withLock { state in
            if state.stopped { return false }
            state.consumer = consumer
            return true
        }
        guard registered else {
            await consumer.close(timeout: .seconds(1))
            return true
        }
        defer { state.withLock { if $0.consumer === consumer { $0.consumer = nil } } }
        var partitions: [KafkaTopicPartition] = []
        var missing: [String] = []
        for topic in [sentTopic, verifiedTopic] {
            let count = (try? await consumer.partitionCount(of: topic, timeout: .seconds(5))) ?? 0
            if count == 0 { missing.append(topic) }
            partitions += (0..<Int32(count)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        }
        let since = now().wholeMilliseconds - guardian.policy.lookback.milliseconds
        let starts = partitions.isEmpty ? [:] : try await consumer.offsets(forTimestamp: since, partitions: partitions)
        var marks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions { marks[partition] = try await consumer.watermarks(partition) }
        // No offset for the time means no record at or after it, on a real broker; librdkafka's
        // mock cluster answers so whatever the time (docs/kafka-layer.md, trap 19). The newest
        // record's time tells the two apart.
        let unanswered = partitions.filter { (starts[$0] ?? -1) < 0 && marks[$0]!.low < marks[$0]!.high }
        let newest = unanswered.isEmpty ? [:] : await newestTimestamps(unanswered, marks: marks)
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        var ends: [KafkaTopicPartition: Int64] = [:]
        for partition in partitions {
            let (low, high) = marks[partition]!
            var start = high
            if let found = starts[partition], found >= 0 {
                start = found
            } else if let time = newest[partition], time >= since {
                start = low
            }
            assignment[partition] = .exactly(start)
            if start < high { ends[partition] = high }
        }
        if !missing.isEmpty {
            logger.warning("fraud guard: topics not found; the view goes on without them and looks again", metadata: [
                "topics": "\(missing.joined(separator: ","))",
            ])
        }
        if ends.isEmpty { loaded(records: 0) }
        guard !assignment.isEmpty else {
            await consumer.close(timeout: .seconds(1))
            try await Task.sleep(for: .seconds(5))
            return false
        }
        try consumer.assign(assignment)
        // A topic that was missing is looked for again: this consumer closes (ending the loop
        // below) and the next one assigns what exists by then.
        let recheck = missing.isEmpty ? nil : Task {
            guard (try? await Task.sleep(for: .seconds(5))) != nil else { return }
            await consumer.close(timeout: .seconds(1))
        }
        defer { recheck?.cancel() }
        var count = 0
        for try await batch in consumer.batches(limit: 512) {
            for record in batch {
                feed(record, since: since, live: ends.isEmpty)
                count += 1
                if !ends.isEmpty, let end = ends[record.topicPartition], record.offset + 1 >= end {
                    ends[record.topicPartition] = nil
                    if ends.isEmpty { loaded(records: count) }
                }
            }
        }
        await consumer.close(timeout: .seconds(2))
        return stopped
    }

    /// Feeds one record of either topic to the guard.
    private func feed(_ record: KafkaConsumerRecord, since: Int64, live: Bool) {
        // Read from the oldest record where the broker could not say where the window starts.
        guard (record.timestampMilliseconds ?? .max) >= since else { return }
        // Once loaded, this worker's own sends were counted when made (a restarted worker with
        // a static instance id reads its earlier ones while loading).
        if live, record.topic == sentTopic, record.headers.last(named: "ce_source")?.value == source { return }
        if record.topic == sentTopic {
            if let fact = SentFact(otpSentValue: record.value) { guardian.noteSent(fact, live: live) }
        } else if let (verification, at) = SentFact.verified(otpVerifiedValue: record.value) {
            guardian.noteVerified(verification, at: at ?? record.timestampMilliseconds ?? now().wholeMilliseconds)
        }
    }

    /// The time stamp of the last record of each partition, read by a consumer of its own;
    /// partitions it cannot read within 5 seconds are left out.
    private func newestTimestamps(
        _ partitions: [KafkaTopicPartition], marks: [KafkaTopicPartition: (low: Int64, high: Int64)]
    ) async -> [KafkaTopicPartition: Int64] {
        guard let probe = try? KafkaConsumer(configuration: consumerConfiguration, logger: logger) else { return [:] }
        var found: [KafkaTopicPartition: Int64] = [:]
        do {
            try probe.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.exactly(marks[$0]!.high - 1)) }))
            let watchdog = Task {
                guard (try? await Task.sleep(for: .seconds(5))) != nil else { return }
                await probe.close(timeout: .seconds(1))
            }
            defer { watchdog.cancel() }
            for try await record in probe.records {
                found[record.topicPartition] = record.timestampMilliseconds ?? 0
                if found.count == partitions.count { break }
            }
        } catch {
            logger.debug("fraud guard: cannot read the newest records", metadata: [KafkaLogKey.error: "\(error)"])
        }
        await probe.close(timeout: .seconds(1))
        return found
    }

    private func loaded(records: Int) {
        guard !guardian.isLoaded else { return }
        guardian.advance()
        guardian.markLoaded()
        readiness?.set("guard", ready: true)
        logger.info("fraud guard: view of the group's sends loaded", metadata: [
            "records": "\(records)", "lookback": "\(GuardPolicy.describeLookback(guardian.policy))",
            "mode": "\(guardian.policy.mode.rawValue)",
        ])
    }
}
