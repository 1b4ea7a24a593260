import CRdKafka
import Dispatch
import Logging
import Primitives

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
    var messages: [UnsafeMutablePointer<rd_kafka_message_t>] = []
}

extension rd_kafka_message_t {
    /// The bytes a record's key and value take in its batch's buffer (none for an error record).
    fileprivate var byteCount: Int {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? (key == nil ? 0 : key_len) + (payload == nil ? 0 : len) : 0
    }
}

extension KafkaConsumer {
    static let maxBatch = 1024
    /// Stops a drain once its keys and values reach this size: a batch's records share one
    /// buffer, which lives as long as the last of them.
    static let maxBatchBytes = 64 * 1024

    /// One turn of the poll thread: serve close, fetch a batch, commit and watch. Returns false
    /// once the consumer is closed.
    func pollOnce() -> Bool {
        let context = pollContext
        if lifecycle.withLock({ $0.closeRequested }) {
            closeOnPollThread()
            return false
        }
        runCommands()
        // Rebalances, logs, statistics and commit results are served inside this call
        // (docs/kafka-layer.md, trap 3).
        if let first = rd_kafka_consumer_poll(handle.pointer, 100) {
            // Drain what is ready without waiting for a full batch: rd_kafka_consume_batch waits
            // for the full batch or its whole timeout, which adds that timeout to a record's
            // latency when traffic is light. The messages are held only for this drain, then
            // copied out and destroyed (docs/kafka-layer.md, trap 4).
            var messages: [UnsafeMutablePointer<rd_kafka_message_t>] = []
            swap(&messages, &context.messages)
            messages.append(first)
            var bytes = first.pointee.byteCount
            while messages.count < Self.maxBatch, bytes < Self.maxBatchBytes, let next = rd_kafka_consumer_poll(handle.pointer, 0) {
                messages.append(next)
                bytes += next.pointee.byteCount
            }
            // Swap rather than copy, so that the buffers stay uniquely owned and are reused.
            var batch: [KafkaConsumerRecord] = []
            swap(&batch, &context.scratch)
            batch.removeAll(keepingCapacity: true)
            take(messages, byteCount: bytes, into: &batch, context)
            messages.removeAll(keepingCapacity: true)
            swap(&messages, &context.messages)
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

    /// Copies the keys and values of `messages` into one buffer their records share, then
    /// destroys each message (docs/kafka-layer.md, trap 4: held messages pin librdkafka's queues).
    private func take(
        _ messages: [UnsafeMutablePointer<rd_kafka_message_t>], byteCount: Int, into batch: inout [KafkaConsumerRecord],
        _ context: PollThreadContext
    ) {
        var spans: [(key: ByteSpan, value: ByteSpan)] = []
        spans.reserveCapacity(messages.count)
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            var end = 0
            func append(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> ByteSpan {
                guard let pointer else { return .null }
                let span = ByteSpan(start: end, count: count)
                if count > 0 {
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[end..<end + count])
                        .copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count))
                }
                end += count
                return span
            }
            for message in messages {
                let m = message.pointee
                guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    spans.append((.null, .null))
                    continue
                }
                spans.append((append(m.key, m.key_len), append(m.payload, m.len)))
            }
            initialized = end
        }
        for (message, span) in zip(messages, spans) {
            take(message, bytes: bytes, span, into: &batch, context)
        }
    }

    private func take(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, bytes: [UInt8], _ span: (key: ByteSpan, value: ByteSpan),
        into batch: inout [KafkaConsumerRecord], _ context: PollThreadContext
    ) {
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
                topic: topic, partition: m.partition, offset: m.offset, bytes: bytes, key: span.key, value: span.value,
                headers: RDKafkaHeaders.copy(from: message),
                timestampMilliseconds: timestamp >= 0 ? timestamp : nil,
                timestampType: timestampType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime
                    : timestampType == RD_KAFKA_TIMESTAMP_CREATE_TIME ? .createTime : nil))
    }

    private func handleErrorMessage(_ message: rd_kafka_message_t) {
        // An error record reports a condition, not data (docs/kafka-layer.md, trap 4).
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
        // bound fetching pauses instead; heartbeats and rebalances go on (docs/kafka-layer.md, trap 11).
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
    /// (docs/kafka-layer.md, trap 3). Report records unfinished for longer than
    /// `max.poll.interval.ms` instead.
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
