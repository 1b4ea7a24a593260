import CRdKafka
import Dispatch
import Primitives
import Synchronization

/// The producer's poll thread: produces what senders handed off, then serves librdkafka's
/// queue (delivery reports, logs, errors, statistics), and waits in `rd_kafka_poll` when there
/// is nothing to produce; a sender wakes it with `rd_kafka_queue_yield`.
///
/// `@unchecked Sendable`: made for the poll thread and used by it alone.
final class ProducerPollThread: @unchecked Sendable {
    private let handle: RDKafkaHandle
    private let state: Locked<KafkaProducer.State>
    private let deliveries: DeliveryTable
    private let drained: DispatchSemaphore
    /// The batch being produced; its buffers are swapped with the handoff's, never freed.
    private var batch = ProduceBatch()
    /// Set when the producer gives up on undelivered records (close after a failed flush):
    /// what is handed off then fails here, unproduced, instead of entering librdkafka after
    /// its queues were purged.
    private let abandoned = Atomic<Bool>(false)

    /// Serve librdkafka's queue at least this often while producing a long batch, as a C loop
    /// polls between produce calls: reports free the memory of delivered records.
    private static let serveEvery = 1024
    private static let queueFull = Int32(RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue)

    init(handle: RDKafkaHandle, state: Locked<KafkaProducer.State>, deliveries: DeliveryTable, drained: DispatchSemaphore) {
        self.handle = handle
        self.state = state
        self.deliveries = deliveries
        self.drained = drained
    }

    /// Fails everything handed off from now on instead of producing it. Returns at once; the
    /// batch in progress stops at its next record.
    func abandon() { abandoned.store(true, ordering: .releasing) }

    /// One turn: produce what was handed off, or wait up to 100 ms for reports or records.
    func runOnce() -> Bool {
        let hasWork = state.withLock { state in
            state.handoff.take(into: &batch)
            if batch.entries.isEmpty { state.handoff.pollThreadIdle = true }
            return !batch.entries.isEmpty
        }
        guard hasWork else {
            rd_kafka_poll(handle.pointer, 100)
            return true
        }
        produceBatch()
        rd_kafka_poll(handle.pointer, 0)
        let flushes = state.withLock { state in
            state.handoff.producing = false
            guard state.handoff.isDrained else { return 0 }
            defer { state.handoff.drainWaiters = 0 }
            return state.handoff.drainWaiters
        }
        for _ in 0..<flushes { drained.signal() }
        return true
    }

    private func produceBatch() {
        let producer = handle.pointer
        var produced = 0
        batch.drain { entry, key, keyCount, value, valueCount in
            guard !abandoned.load(ordering: .acquiring) else {
                entry.fail(ProduceHandoff.Entry.closedBeforeSending, in: deliveries)
                return
            }
            while let error = otp_rdk_produce(
                producer, entry.topic, entry.partition, key, keyCount, value, valueCount, entry.headers,
                entry.timestampMilliseconds, entry.opaque)
            {
                let failure = KafkaError(consuming: error)
                guard failure.code == Self.queueFull else {
                    entry.fail(failure, in: deliveries)
                    break
                }
                guard !abandoned.load(ordering: .acquiring) else {
                    entry.fail(ProduceHandoff.Entry.closedBeforeSending, in: deliveries)
                    break
                }
                // librdkafka's queue is full: serve reports to make room, as a C loop does.
                // Senders meanwhile fill the handoff up to its bound, then get _QUEUE_FULL.
                rd_kafka_poll(producer, 10)
            }
            produced += 1
            if produced % Self.serveEvery == 0 { rd_kafka_poll(producer, 0) }
        }
    }
}
