import CRdKafka
import Dispatch
import Logging

/// What only the poll thread touches: caches and timers of the loop.
///
/// `@unchecked Sendable`: it is created for and used by the single poll thread only.
final class PollThreadContext: @unchecked Sendable {
    var topicNames: [OpaquePointer: String] = [:]
    /// The topic of the last message: messages come in long runs of one topic.
    var lastTopic: (rkt: OpaquePointer, name: String)?
    var nextCommit = ContinuousClock.now
    var nextWatchdog = ContinuousClock.now
    var stuck: [KafkaTopicPartition: (offset: Int64, since: ContinuousClock.Instant, reported: Bool)] = [:]
    var scratch: [KafkaConsumerRecord] = []
}

extension KafkaConsumer {
    static let maxBatch = 1024

    /// One turn of the poll thread: serve close, fetch a batch, commit and watch. Returns false
    /// once the consumer is closed.
    func pollOnce() -> Bool {
        let context = pollContext
        if lifecycle.withLock({ $0.closeRequested }) {
            closeOnPollThread()
            return false
        }
        runCommands()
        // Rebalances, logs, statistics and commit results are served inside this call (rule 3).
        if let first = rd_kafka_consumer_poll(handle.pointer, 100) {
            // Swap rather than copy, so that the buffer stays uniquely owned and is reused.
            var batch: [KafkaConsumerRecord] = []
            swap(&batch, &context.scratch)
            batch.removeAll(keepingCapacity: true)
            take(first, into: &batch, context)
            // Drain what is ready without waiting for a full batch (see the measurement notes).
            while batch.count < Self.maxBatch, let next = rd_kafka_consumer_poll(handle.pointer, 0) {
                take(next, into: &batch, context)
            }
            deliver(&batch)
            swap(&batch, &context.scratch)
        }
        let now = ContinuousClock.now
        if now >= context.nextCommit, configuration.groupID != nil {
            context.nextCommit = now + configuration.commitInterval
            commitInBackground()
        }
        if now >= context.nextWatchdog {
            context.nextWatchdog = now + .seconds(1)
            watchForStuckRecords(now, context)
        }
        return true
    }

    /// Copies a message out and destroys it at once (rule 4: held messages pin librdkafka's queues).
    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>, into batch: inout [KafkaConsumerRecord], _ context: PollThreadContext) {
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            handleErrorMessage(m)
            return
        }
        let topic: String
        if let last = context.lastTopic, last.rkt == m.rkt {
            topic = last.name
        } else if let rkt = m.rkt, let known = context.topicNames[rkt] {
            topic = known
            context.lastTopic = (rkt, known)
        } else {
            topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            if let rkt = m.rkt { context.topicNames[rkt] = topic }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        batch.append(
            KafkaConsumerRecord(
                topic: topic, partition: m.partition, offset: m.offset,
                key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
                value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
                headers: RDKafkaHeaders.copy(from: message),
                timestampMilliseconds: timestamp >= 0 ? timestamp : nil,
                timestampType: timestampType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime
                    : timestampType == RD_KAFKA_TIMESTAMP_CREATE_TIME ? .createTime : nil))
    }

    private func handleErrorMessage(_ message: rd_kafka_message_t) {
        // An error record reports a condition, not data (rule 4).
        let error = KafkaError(message.err)
        if error.isFatal {
            logger.critical("fatal consumer error: \(error)")
            let waiter = state.withLock { $0.end(.failure(error)) }
            waiter?.resume(returning: .failure(error))
        } else {
            logger.warning("consumer: \(error)", metadata: [KafkaLogKey.error: "\(error.name)"])
        }
    }

    private func deliver(_ batch: inout [KafkaConsumerRecord]) {
        guard !batch.isEmpty else { return }
        let (resume, full) = state.withLock { state in
            let resume = state.append(&batch)
            if state.isFull { state.startWaitingForRoom() }
            return (resume, state.isFull)
        }
        if let (waiter, record) = resume { waiter.resume(returning: .success(record)) }
        guard full else { return }
        // A reader that keeps up makes room within microseconds: wait for it rather than pause,
        // because pausing discards what librdkafka prefetched. A reader that stalls (its
        // downstream is down) must not stop this thread from serving the group, so after a
        // bound fetching pauses instead; heartbeats and rebalances go on (rule 11).
        if room.wait(timeout: .now() + .milliseconds(Self.roomWaitMilliseconds)) == .timedOut {
            state.withLock { state in
                guard state.stopWaitingForRoom() else { return }
                RDKafkaPartitionList.with(Array(state.partitions.keys)) { _ = rd_kafka_pause_partitions(handle.pointer, $0) }
            }
        }
    }

    static let roomWaitMilliseconds = 500

    /// Called by the reader when flow control lets go.
    func resumeFetching() {
        state.withLock { state in
            let partitions = state.unpausedPartitions
            guard !partitions.isEmpty else { return }
            RDKafkaPartitionList.with(partitions) { _ = rd_kafka_resume_partitions(handle.pointer, $0) }
        }
    }

    /// Commits moved offsets without waiting; failures are logged and retried next time.
    func commitInBackground() {
        let now = ContinuousClock.now
        let commits = state.withLock { $0.mayCommitInBackground(now: now) ? $0.takeCommits() : [:] }
        guard !commits.isEmpty else { return }
        let err = RDKafkaPartitionList.with(commits) { rd_kafka_commit(handle.pointer, $0, 1) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            state.withLock { $0.commitFailed(commits) }
        }
    }

    /// librdkafka 2.0.2 resets its poll timer on every poll, so a stuck handler is never evicted
    /// (rule 3). Report records unfinished for longer than `max.poll.interval.ms` instead.
    private func watchForStuckRecords(_ now: ContinuousClock.Instant, _ context: PollThreadContext) {
        let oldest = state.withLock { $0.partitions.compactMapValues(\.tracker.oldestUnfinished) }
        var stuck: [KafkaTopicPartition: (offset: Int64, since: ContinuousClock.Instant, reported: Bool)] = [:]
        for (key, offset) in oldest {
            var entry = context.stuck[key].flatMap { $0.offset == offset ? $0 : nil } ?? (offset: offset, since: now, reported: false)
            if !entry.reported, now - entry.since > configuration.maxPollInterval {
                entry.reported = true
                logger.error(
                    "record unfinished for longer than max.poll.interval.ms; its partition cannot commit past it",
                    metadata: [KafkaLogKey.partition: "\(key)", KafkaLogKey.offset: "\(offset)"])
            }
            stuck[key] = entry
        }
        context.stuck = stuck
    }
}
