import CRdKafka
import Dispatch
import Logging
import Primitives

/// A Kafka consumer over librdkafka that never commits on its own judgement.
///
/// Read `records`, or `batches` for throughput (one reader at a time, of either). Mark each
/// record done with `markDone` once its work is finished; the consumer commits, per partition,
/// the offset after the longest run of done records, in the background every `commitInterval`,
/// when partitions are revoked, and on `close`. Records not marked done are delivered again
/// after a restart or a rebalance.
///
/// Polling runs on a thread of its own. When the reader falls `bufferCapacity` records behind,
/// fetching pauses (the member stays in its group) and resumes once it catches up.
///
/// Invariant for callers: mark a record done only after everything it caused is durable
/// (for the worker: after its outputs are acknowledged by the brokers).
public final class KafkaConsumer: Sendable {
    let handle: RDKafkaHandle
    let state: Locked<ConsumerState>
    let lifecycle: Locked<ConsumerLifecycle>
    let pollLoop: Locked<PollLoop?>
    let consumerQueue: RDKafkaQueue
    let listener: (any KafkaRebalanceListener)?
    let configuration: KafkaConsumerConfiguration
    let logger: Logger
    let pollContext = PollThreadContext()
    let commands = Locked<[@Sendable () -> Void]>([])
    /// Signalled by the reader when it made room for a poll thread that waits for it.
    let room = DispatchSemaphore(value: 0)
    let failedCommits: Locked<Int>

    /// Creates a consumer. It joins no group and reads nothing until `subscribe` or `assign`.
    /// - Parameters:
    ///   - listener: told about assignments and revocations; revocations wait for it.
    /// - Throws: `KafkaError` naming the property when the configuration is refused.
    public init(
        configuration: KafkaConsumerConfiguration,
        listener: (any KafkaRebalanceListener)? = nil,
        logger: Logger = Logger(label: "kafka.consumer")
    ) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: KafkaLogKey.client] = "consumer"
        let state = Locked(ConsumerState(capacity: configuration.bufferCapacity))
        // Weak: the handle's callbacks must not keep the consumer alive.
        let rebalance = Locked(WeakReference<KafkaConsumer>())
        let commitFailures = Locked(0)
        let callbackLogger = logger
        let callbacks = RDKafkaCallbacks(
            logger: logger, statistics: KafkaStatisticsReporter(.consumer),
            onError: { error in
                callbackLogger.log(
                    level: error.isFatal ? .critical : .warning, "consumer error: \(error)",
                    metadata: [KafkaLogKey.error: "\(error.name)"])
            },
            onRebalance: { rk, err, list in
                // The consumer exists before any poll can serve a rebalance.
                rebalance.withLock { $0.value }?.handleRebalance(rk, err, list)
            },
            onCommit: { err, offsets, failed in
                guard err != RD_KAFKA_RESP_ERR_NO_ERROR || !failed.isEmpty,
                    err != RD_KAFKA_RESP_ERR__NO_OFFSET
                else { return }
                // A refused request fails every partition in it; otherwise only those with errors.
                let refused = err != RD_KAFKA_RESP_ERR_NO_ERROR ? offsets : offsets.filter { failed[$0.key] != nil }
                let error = err != RD_KAFKA_RESP_ERR_NO_ERROR ? KafkaError(err) : failed.values.first
                callbackLogger.warning("commit failed", metadata: [KafkaLogKey.error: "\(error?.name ?? "")"])
                // Refusals tied to a rebalance hold background commits until the rebalance is
                // served: resending during it draws ILLEGAL_GENERATION, on which librdkafka
                // rejoins and declares the assignment lost. The revocation commits these
                // partitions if they move; the next background commit if they stay.
                let holdCommits = error.map { Self.isGroupGenerationError($0.code) } ?? false
                let holdUntil = ContinuousClock.now + max(configuration.sessionTimeout, .seconds(10))
                state.withLock { state in
                    state.commitFailed(refused)
                    if holdCommits { state.commitsSuspendedUntil = holdUntil }
                }
            })
        self.handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, properties: configuration.librdkafkaProperties, callbacks: callbacks)
        rd_kafka_poll_set_consumer(handle.pointer)
        self.consumerQueue = RDKafkaQueue(rd_kafka_queue_get_consumer(handle.pointer)!)
        self.state = state
        self.failedCommits = commitFailures
        self.lifecycle = Locked(ConsumerLifecycle())
        self.listener = listener
        self.configuration = configuration
        self.logger = logger
        self.pollLoop = Locked(nil)
        rebalance.withLock { $0.value = self }
        let loop = PollLoop(name: "rdkafka-consumer-poll") { [weak self] in
            self?.pollOnce() ?? false
        }
        pollLoop.withLock { $0 = loop }
    }

    /// The records, in order per partition. One reader at a time. The sequence ends after
    /// `close`, and throws if the consumer hits a fatal error.
    public var records: KafkaConsumerRecords { KafkaConsumerRecords(consumer: self) }

    /// Joins the group and subscribes to `topics`.
    /// - Throws: `KafkaError` when the consumer has no group id or librdkafka refuses.
    public func subscribe(topics: [String]) throws(KafkaError) {
        guard configuration.groupID != nil else { throw .state("subscribe needs a group id; use assign without one") }
        let list = RDKafkaPartitionList.make(topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(handle.pointer, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
        lifecycle.withLock { $0.subscribed = true }
    }

    /// Reads exactly these partitions from the given positions, without a group (for replay).
    /// Replaces any earlier assignment.
    public func assign(_ partitions: [KafkaTopicPartition: KafkaOffset]) throws(KafkaError) {
        let offsets = partitions.mapValues(\.rawOffset)
        state.withLock { state in
            _ = state.revoke(Array(state.partitions.keys))
            state.assign(Array(partitions.keys))
        }
        statistics.removeAll()
        statistics.assigned(partitions.keys)
        let err = RDKafkaPartitionList.with(offsets) { rd_kafka_assign(handle.pointer, $0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err) }
    }

    /// Reports librdkafka's statistics for the partitions this consumer owns.
    var statistics: KafkaStatisticsReporter { handle.callbacks.statistics }

    /// The partitions this consumer currently owns.
    public var assignment: Set<KafkaTopicPartition> {
        state.withLock { Set($0.partitions.keys) }
    }

    /// Marks a record done. Its partition's committable offset moves past it once every earlier
    /// record of that partition is done too. Ignored for records of an earlier assignment.
    public func markDone(_ record: KafkaConsumerRecord) {
        state.withLock { _ = $0.markDone(record.topicPartition, offset: record.offset, epoch: record.assignmentEpoch) }
    }

    /// Marks records done, under one lock: the batch form of `markDone(_:)`, for readers of
    /// `batches`.
    public func markDone(_ records: [KafkaConsumerRecord]) {
        state.withLock { state in
            for record in records {
                _ = state.markDone(record.topicPartition, offset: record.offset, epoch: record.assignmentEpoch)
            }
        }
    }

    /// Stops delivering records of these partitions (others go on). Records of them already
    /// buffered are held back, in order, until `resume`.
    public func pause(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            let owned = state.pauseByUser(partitions)
            guard !owned.isEmpty else { return }
            RDKafkaPartitionList.with(owned) { _ = rd_kafka_pause_partitions(handle.pointer, $0) }
        }
    }

    /// Delivers records of these partitions again.
    public func resume(_ partitions: [KafkaTopicPartition]) {
        let wake = state.withLock { state in
            let (fetch, wake) = state.resumeByUser(partitions)
            if !fetch.isEmpty {
                RDKafkaPartitionList.with(fetch) { _ = rd_kafka_resume_partitions(handle.pointer, $0) }
            }
            return wake
        }
        if let (waiter, record) = wake { waiter.resume(returning: .success(record)) }
    }

    static func isGroupGenerationError(_ code: Int32) -> Bool {
        [RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID]
            .contains { Int32($0.rawValue) == code }
    }

    /// How many commits on revocation or close were refused after retries. Each means the next
    /// owner may repeat work that was already done. (Refused background commits are not
    /// counted: the commit on revocation supersedes them.)
    public var commitFailureCount: Int { failedCommits.withLock { $0 } }

    /// The partitions the application paused.
    public var pausedPartitions: Set<KafkaTopicPartition> {
        state.withLock { Set($0.partitions.filter(\.value.pausedByUser).keys) }
    }

    /// How many records were handed out and not yet marked done, per partition.
    public var inFlight: [KafkaTopicPartition: Int] {
        state.withLock { $0.partitions.mapValues(\.tracker.inFlight) }
    }
}

struct WeakReference<Object: AnyObject> {
    weak var value: Object?
}

/// Whether close was asked for and whether it is done.
struct ConsumerLifecycle {
    var closeRequested = false
    var closed = false
    /// The consumer queue was destroyed: nothing may wake it any more.
    var queueReleased = false
    /// The poll thread is inside `rd_kafka_consumer_close`, which forwards the consumer queue
    /// to its own: a wake-up now would end that close early (see `closeOnPollThread`).
    var closing = false
    /// Whether a wake-up may touch the consumer queue.
    var mayWake: Bool { !queueReleased && !closing }
    var closeWaiters: [ResumeOnce<Bool>] = []
    /// Joined a group with `subscribe`.
    var subscribed = false
    /// Got at least one assignment from the group (possibly empty).
    var everAssigned = false
    /// Told once the first assignment arrives.
    var assignmentWaiters: [ResumeOnce<Bool>] = []
}

extension KafkaOffset {
    var rawOffset: Int64 {
        switch self {
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .committed: Int64(RD_KAFKA_OFFSET_STORED)
        case .exactly(let offset): offset
        }
    }
}
