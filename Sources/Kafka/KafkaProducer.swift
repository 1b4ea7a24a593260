import CRdKafka
import Logging

/// An idempotent Kafka producer over librdkafka.
///
/// `send` returns once the brokers acknowledged the record; `enqueue` is the callback form for
/// high throughput. librdkafka's polling runs on a thread of its own. Call `close` when done:
/// it flushes, stops the poll thread and destroys the handle, bounded in time.
///
/// A fatal error (for example the idempotent producer losing its sequence) is logged, kept in
/// `fatalError`, and thrown by every later send: the instance must then be replaced.
public final class KafkaProducer: Sendable {
    private struct State {
        var closed = false
        var fatalError: KafkaError?
        /// Cached topic handles: looking a topic up per record costs more than the record.
        var topics: [String: OpaquePointer] = [:]
        /// The handles' opaques (their names for delivery reports), kept alive until close.
        var names: [TopicName] = []
        /// The topic enqueued to last: records come in long runs of one topic, and comparing
        /// the name costs less than hashing it for the dictionary.
        var lastTopic: (name: String, handle: OpaquePointer)?
    }

    private let handle: RDKafkaHandle
    private let deliveries: DeliveryTable
    private let state: Locked<State>
    private let pollLoop: PollLoop
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
            logger: logger, statistics: KafkaStatisticsReporter(client: "producer"),
            onError: { error in
                if error.isFatal {
                    state.withLock { $0.fatalError = $0.fatalError ?? error }
                    callbackLogger.critical("fatal producer error: \(error)")
                } else {
                    callbackLogger.warning("producer error: \(error)", metadata: [KafkaLogKey.error: "\(error.name)"])
                }
            },
            onDelivery: { id, topic, result in deliveries.complete(id, topic: topic, result) })
        let handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties, callbacks: callbacks)
        self.handle = handle
        self.deliveries = deliveries
        self.state = state
        self.logger = logger
        self.deliveryTimeout = configuration.deliveryTimeout
        self.pollLoop = PollLoop(name: "rdkafka-producer-poll") {
            rd_kafka_poll(handle.pointer, 100)
            return true
        }
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
            // Delivery reports never carry _QUEUE_FULL: this is the enqueue being refused.
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

    /// Hands one record to librdkafka and returns at once; `onDelivery` runs when the brokers
    /// acknowledged it or delivery failed.
    ///
    /// `onDelivery` runs on the producer's poll thread: it must not block.
    /// - Throws: `KafkaError` when the record was not taken (`_QUEUE_FULL` is retriable);
    ///   `onDelivery` is then never called.
    public func enqueue(
        _ record: KafkaProducerRecord,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let topic = try topicHandle(record.topic)
        try produce(record, topic: topic, opaque: deliveries.register(topic: record.topic, onDelivery))
    }

    /// The largest token `enqueue(_:token:)` takes.
    public static let maxDeliveryToken = DeliveryTable.maxToken

    /// Hands one record to librdkafka and returns at once; its report goes to the producer's
    /// `deliveryHandler` with `token`, as librdkafka's own callback with a per-message opaque.
    ///
    /// The form for high rates: nothing is allocated per record beyond librdkafka's copy.
    /// Without a `deliveryHandler` the reports are only counted (`pendingDeliveries`).
    /// - Throws: `KafkaError` when the record was not taken (`_QUEUE_FULL` is retriable);
    ///   no report comes for it then.
    public func enqueue(_ record: KafkaProducerRecord, token: UInt) throws(KafkaError) {
        precondition(token <= Self.maxDeliveryToken, "a delivery token is at most KafkaProducer.maxDeliveryToken")
        let topic = try topicHandle(record.topic)
        try produce(record, topic: topic, opaque: deliveries.register(token: token))
    }

    private func produce(_ record: KafkaProducerRecord, topic: OpaquePointer, opaque: UnsafeMutableRawPointer) throws(KafkaError) {
        let headers = RDKafkaHeaders.make(record.headers)
        let error = record.key.withOptionalBytes { key, keyCount in
            record.value.withOptionalBytes { value, valueCount in
                otp_rdk_produce(
                    handle.pointer, topic, record.partition ?? RD_KAFKA_PARTITION_UA,
                    key, keyCount, value, valueCount, headers,
                    record.timestampMilliseconds ?? 0, opaque)
            }
        }
        if let error {
            deliveries.cancel(opaque)
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError(consuming: error)
        }
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        let result: Result<OpaquePointer, KafkaError> = state.withLock { state in
            if let fatal = state.fatalError { return .failure(fatal) }
            if state.closed { return .failure(.state("the producer is closed")) }
            if let last = state.lastTopic, last.name == name { return .success(last.handle) }
            if let topic = state.topics[name] {
                state.lastTopic = (name, topic)
                return .success(topic)
            }
            // The handle carries its name for delivery reports (see `TopicName`).
            let topicName = TopicName(name)
            guard let topic = otp_rdk_topic_new(handle.pointer, name, Unmanaged.passUnretained(topicName).toOpaque()) else {
                return .failure(KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: "invalid topic name"))
            }
            state.names.append(topicName)
            state.topics[name] = topic
            state.lastTopic = (name, topic)
            return .success(topic)
        }
        return try result.get()
    }

    /// Waits until every enqueued record is acknowledged or failed, at most `timeout`.
    /// - Throws: `KafkaError` with `_TIMED_OUT` when records were still outstanding.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let handle = self.handle
        let err = await DedicatedThread.run(name: "rdkafka-flush") {
            rd_kafka_flush(handle.pointer, Int32(clamping: timeout.milliseconds))
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
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
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // Purged records report through the poll thread, which still runs: every sender
            // hears, with an error saying whether the record may have been written.
            _ = try? await flush(timeout: .seconds(2))
        }
        await pollLoop.stop()
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
