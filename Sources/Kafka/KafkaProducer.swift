import CRdKafka
import Dispatch
import Logging
import Primitives

/// An idempotent Kafka producer over librdkafka.
///
/// `send` returns once the brokers acknowledged the record; `enqueue` is the callback form for
/// high throughput. librdkafka's polling runs on a thread of its own, which also makes the
/// produce calls (see `ProduceHandoff` for why). Call `close` when done:
/// it flushes, stops the poll thread and destroys the handle, bounded in time.
///
/// A fatal error (for example the idempotent producer losing its sequence) is logged, kept in
/// `fatalError`, and thrown by every later send: the instance must then be replaced.
public final class KafkaProducer: Sendable {
    struct State {
        var closed = false
        var fatalError: KafkaError?
        /// Cached topic handles: looking a topic up per record costs more than the record.
        var topics: [String: OpaquePointer] = [:]
        /// The handles' opaques (their names for delivery reports), kept alive until close.
        var names: [TopicName] = []
        /// The topic enqueued to last: records come in long runs of one topic, and comparing
        /// the name costs less than hashing it for the dictionary.
        var lastTopic: (name: String, handle: OpaquePointer)?
        /// Records on their way to the poll thread, which produces them (see `ProduceHandoff`).
        var handoff = ProduceHandoff()
        /// librdkafka's main queue, to wake the poll thread's `rd_kafka_poll` for new records;
        /// nil once destroyed at close.
        var mainQueue: OpaquePointer?

        /// The handle for topic `name`, made on first use.
        mutating func topicHandle(_ name: String, producer: OpaquePointer) throws(KafkaError) -> OpaquePointer {
            if let fatalError { throw fatalError }
            if closed { throw .state("the producer is closed") }
            if let last = lastTopic, last.name == name { return last.handle }
            if let topic = topics[name] {
                lastTopic = (name, topic)
                return topic
            }
            // The handle carries its name for delivery reports (see `TopicName`).
            let topicName = TopicName(name)
            guard let topic = otp_rdk_topic_new(producer, name, Unmanaged.passUnretained(topicName).toOpaque()) else {
                throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: "invalid topic name")
            }
            names.append(topicName)
            topics[name] = topic
            lastTopic = (name, topic)
            return topic
        }
    }

    private let handle: RDKafkaHandle
    private let deliveries: DeliveryTable
    private let state: Locked<State>
    private let pollLoop: PollLoop
    private let pollThread: ProducerPollThread
    /// Signalled by the poll thread when the handoff drained while a flush waits for it.
    private let drained: DispatchSemaphore
    private let logger: Logger
    private let deliveryTimeout: Duration

    /// Creates a producer and starts its poll thread.
    /// - Parameter deliveryHandler: receives the report of every record enqueued with
    ///   `enqueue(_:token:)`, with its token, on the poll thread; it must not block.
    /// - Throws: `KafkaError` naming the property when the configuration is refused.
    public init(
        configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "kafka.producer"),
        deliveryHandler: (@Sendable (_ token: UInt, _ report: Result<KafkaDeliveryReport, KafkaError>) -> Void)? = nil
    ) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: KafkaLogKey.client] = "producer"
        let deliveries = DeliveryTable(tokenCompletion: deliveryHandler)
        let state = Locked(State())
        let callbackLogger = logger
        let callbacks = RDKafkaCallbacks(
            logger: logger, statistics: KafkaStatisticsReporter(.producer),
            onError: { error in
                if error.isFatal {
                    state.withLock { $0.fatalError = $0.fatalError ?? error }
                    callbackLogger.critical("fatal producer error: \(error)")
                } else {
                    callbackLogger.warning("producer error: \(error)", metadata: [KafkaLogKey.error: "\(error.name)"])
                }
            },
            deliveries: deliveries)
        let handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties, callbacks: callbacks)
        self.handle = handle
        self.deliveries = deliveries
        self.state = state
        self.logger = logger
        self.deliveryTimeout = configuration.deliveryTimeout
        let drained = DispatchSemaphore(value: 0)
        self.drained = drained
        state.withLock { $0.mainQueue = rd_kafka_queue_get_main(handle.pointer) }
        let pollThread = ProducerPollThread(handle: handle, state: state, deliveries: deliveries, drained: drained)
        self.pollThread = pollThread
        self.pollLoop = PollLoop(name: "rdkafka-producer-poll") { pollThread.runOnce() }
    }

    /// The fatal error that made this producer unusable, if one happened.
    public var fatalError: KafkaError? { state.withLock { $0.fatalError } }

    /// How many records wait for the brokers' acknowledgement.
    public var pendingDeliveries: Int { deliveries.count }

    /// Sends one record and waits until the brokers acknowledge it.
    ///
    /// Waits for room when librdkafka's local queue is full, at most the delivery timeout.
    /// - Returns: the partition and offset the record was written at.
    /// - Throws: `KafkaError`; its `persistence` says whether the record may have been written anyway.
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        let deadline = ContinuousClock.now + deliveryTimeout
        var backoff = Duration.microseconds(200)
        while true {
            let result: Result<KafkaDeliveryReport, KafkaError> = await withCheckedContinuation { continuation in
                do throws(KafkaError) {
                    try enqueue(record) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            // Only the handoff refuses with _QUEUE_FULL (the poll thread waits out librdkafka's
            // full queue, and fails records of a closing producer with _PURGE_QUEUE).
            if case .failure(let error) = result, error.code == Self.queueFullCode, ContinuousClock.now < deadline {
                // The queue drains as the brokers acknowledge; wait for room rather than fail.
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(20))
                continue
            }
            return try result.get()
        }
    }

    private static let queueFullCode = Int32(RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue)

    /// Hands one record to the producer and returns at once; `onDelivery` runs when the brokers
    /// acknowledged it or delivery failed.
    ///
    /// `onDelivery` runs on the producer's poll thread: it must not block.
    /// - Throws: `KafkaError` when the record was not taken (`_QUEUE_FULL` is retriable);
    ///   `onDelivery` is then never called. A record librdkafka refuses later (too large, an
    ///   unknown partition) reaches `onDelivery` as a failure that was not persisted.
    public func enqueue(
        _ record: KafkaProducerRecord,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        try handOff(record, opaque: deliveries.register(onDelivery))
    }

    /// The largest token `enqueue(_:token:)` takes.
    public static let maxDeliveryToken = DeliveryTable.maxToken

    /// Hands one record to the producer and returns at once; its report goes to the producer's
    /// `deliveryHandler` with `token`, as librdkafka's own callback with a per-message opaque.
    ///
    /// The form for high rates: nothing is allocated per record beyond librdkafka's copy.
    /// Without a `deliveryHandler` the reports are only counted (`pendingDeliveries`).
    /// - Throws: `KafkaError` when the record was not taken (`_QUEUE_FULL` is retriable);
    ///   no report comes for it then. Later refusals arrive as reports, as with `onDelivery`.
    public func enqueue(_ record: KafkaProducerRecord, token: UInt) throws(KafkaError) {
        precondition(token <= Self.maxDeliveryToken, "a delivery token is at most KafkaProducer.maxDeliveryToken")
        try handOff(record, opaque: deliveries.register(token: token))
    }

    private func handOff(_ record: KafkaProducerRecord, opaque: UnsafeMutableRawPointer) throws(KafkaError) {
        let pointers = ProduceHandoff.Pointers(headers: RDKafkaHeaders.make(record.headers), opaque: opaque)
        let handle = self.handle
        let taken: KafkaError? = state.withLock { state in
            do throws(KafkaError) {
                let topic = try state.topicHandle(record.topic, producer: handle.pointer)
                if try state.handoff.append(record, topic: topic, pointers), let queue = state.mainQueue {
                    // Under the lock, so that close cannot destroy the queue in between.
                    rd_kafka_queue_yield(queue)
                }
                return nil
            } catch {
                return error
            }
        }
        if let taken {
            deliveries.cancel(opaque)
            if let headers = pointers.headers { rd_kafka_headers_destroy(headers) }
            throw taken
        }
    }

    /// Waits until every enqueued record is acknowledged or failed, at most `timeout`.
    /// - Throws: `KafkaError` with `_TIMED_OUT` when records were still outstanding.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let handle = self.handle
        let deadline = ContinuousClock.now + timeout
        let err = await DedicatedThread.run(name: "rdkafka-flush") { [self] in
            // First every handed-off record into librdkafka, then librdkafka's queue.
            guard waitForHandoff(until: deadline) else { return RD_KAFKA_RESP_ERR__TIMED_OUT }
            return rd_kafka_flush(handle.pointer, Int32(clamping: max(deadline - ContinuousClock.now, .zero).milliseconds))
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Blocks until the poll thread has taken and produced (or failed) everything handed off.
    /// False when `deadline` passed first. Runs on a dedicated thread, never the cooperative pool.
    private func waitForHandoff(until deadline: ContinuousClock.Instant) -> Bool {
        while !state.withLock({ state in
            if state.handoff.isDrained { return true }
            state.handoff.drainWaiters += 1
            return false
        }) {
            let left = deadline - ContinuousClock.now
            // A signal left over from an earlier wait only makes the loop look again.
            if left <= .zero || drained.wait(timeout: .now() + .milliseconds(Int(max(left.milliseconds, 1)))) == .timedOut {
                state.withLock { $0.handoff.drainWaiters = max(0, $0.handoff.drainWaiters - 1) }
                return false
            }
        }
        return true
    }

    /// Flushes for at most `timeout`, then stops the producer. Records still undelivered are
    /// purged and their senders get an error saying whether they may have been written.
    /// Safe to call more than once.
    public func close(timeout: Duration = .seconds(10)) async {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        let deadline = ContinuousClock.now + timeout
        do {
            try await flush(timeout: timeout)
        } catch {
            logger.warning("producer closed with \(deliveries.count) records unacknowledged: \(error)")
            // Records not yet produced fail on the poll thread, unwritten; only then purge, so
            // that none enters librdkafka after its queues were emptied and goes unreported.
            pollThread.abandon()
            let abandonedBy = ContinuousClock.now + .seconds(2)
            _ = await DedicatedThread.run(name: "rdkafka-flush") { [self] in waitForHandoff(until: abandonedBy) }
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // Purged records report through the poll thread, which still runs: every sender
            // hears, with an error saying whether the record may have been written.
            _ = try? await flush(timeout: .seconds(2))
        }
        await pollLoop.stop()
        // No statistics are served any more: a closed producer reports nothing.
        handle.callbacks.statistics.removeAll()
        // Whatever never reached the poll thread fails now: none of it was written.
        var left = state.withLock { state in
            if let queue = state.mainQueue { rd_kafka_queue_destroy(queue) }
            state.mainQueue = nil
            return state.handoff.takeAll()
        }
        left.drain { entry, _, _, _, _ in entry.fail(ProduceHandoff.Entry.closedBeforeSending, in: deliveries) }
        if deliveries.count > 0 {
            logger.error("producer closed with \(deliveries.count) delivery reports never received")
        }
        let topics = state.withLock { state in
            defer {
                state.topics = [:]
                state.lastTopic = nil
                // The names stay: a report could still name its topic until the handle is destroyed.
            }
            return state.topics
        }
        for (_, topic) in topics { rd_kafka_topic_destroy(topic) }
        _ = await handle.destroy(timeout: max(deadline - ContinuousClock.now, .seconds(1)))
    }

    /// Raises a fatal error on purpose, as librdkafka would on a broken idempotent sequence.
    /// For tests of fatal-error handling only.
    public func triggerFatalErrorForTesting() {
        _ = rd_kafka_test_fatal_error(handle.pointer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "test")
    }
}
