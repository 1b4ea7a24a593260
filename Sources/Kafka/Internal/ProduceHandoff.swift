import CRdKafka

/// Records that senders handed to the producer's poll thread, which makes the produce calls.
///
/// Why the poll thread produces: librdkafka allocates each message in the thread that produces
/// it and frees it in the thread that serves its delivery report. With senders producing and
/// the poll thread serving, every message would be freed across threads, the two would contend
/// for the allocator's arena lock, and the poll thread would wake for every report. So one
/// thread does both, as a C program's produce-and-poll loop does. A sender only copies the
/// record's bytes into a shared buffer, under the producer's lock; the poll thread takes the
/// whole buffer at once. Records keep their order: one queue, taken in order.
///
/// Plain data behind `KafkaProducer`'s lock.
struct ProduceHandoff {
    /// One record as handed off: its key and value lie in `bytes`.
    struct Entry: @unchecked Sendable {
        // @unchecked: the pointers are librdkafka's (topic handle, header list) and the
        // delivery opaque; each entry is owned by exactly one side at a time.
        var topic: OpaquePointer
        var partition: Int32
        var key: ByteSpan
        var value: ByteSpan
        var headers: OpaquePointer?
        var timestampMilliseconds: Int64
        var opaque: UnsafeMutableRawPointer

        /// Reports the record as not written and frees what librdkafka never took
        /// (docs/kafka-layer.md, trap 2).
        func fail(_ error: KafkaError, in deliveries: DeliveryTable) {
            if let headers { rd_kafka_headers_destroy(headers) }
            deliveries.fail(opaque, error)
        }

        /// The error of a record the producer closed before producing.
        static var closedBeforeSending: KafkaError {
            KafkaError(RD_KAFKA_RESP_ERR__PURGE_QUEUE, message: "the producer closed before sending it")
        }
    }

    /// What a sender passes along with a record: its header list and its delivery opaque.
    struct Pointers: @unchecked Sendable {
        // @unchecked: handed from the sender to the poll thread through the lock, used by one side at a time.
        var headers: OpaquePointer?
        var opaque: UnsafeMutableRawPointer
    }

    /// At most this many records wait here; then senders get `_QUEUE_FULL`, as from
    /// librdkafka's own full queue (the poll thread stops taking while librdkafka's is full).
    static let maxRecords = 100_000
    /// At most this many key and value bytes wait here.
    static let maxBytes = 64 * 1024 * 1024

    private(set) var entries: [Entry] = []
    private(set) var bytes: [UInt8] = []
    /// The poll thread is about to wait in `rd_kafka_poll` with nothing to produce: the next
    /// sender must wake it.
    var pollThreadIdle = false
    /// The poll thread is producing a batch it took (not yet drained).
    var producing = false
    /// Flushes waiting for everything handed off to reach librdkafka.
    var drainWaiters = 0

    /// Nothing waits here and the poll thread is not producing.
    var isDrained: Bool { entries.isEmpty && !producing }

    /// Adds a record. Returns whether the poll thread must be woken.
    /// - Throws: `_QUEUE_FULL` when the handoff is full.
    mutating func append(_ record: KafkaProducerRecord, topic: OpaquePointer, _ pointers: Pointers) throws(KafkaError) -> Bool {
        let size = (record.key?.count ?? 0) + (record.value?.count ?? 0)
        // An oversized record alone is let through: librdkafka judges its size.
        guard entries.count < Self.maxRecords, entries.isEmpty || bytes.count + size <= Self.maxBytes else {
            throw KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL, message: "the producer's queue is full")
        }
        entries.append(
            Entry(
                topic: topic, partition: record.partition ?? RD_KAFKA_PARTITION_UA, key: append(record.key), value: append(record.value),
                headers: pointers.headers, timestampMilliseconds: record.timestampMilliseconds ?? 0, opaque: pointers.opaque))
        defer { pollThreadIdle = false }
        return pollThreadIdle
    }

    private mutating func append(_ data: [UInt8]?) -> ByteSpan {
        guard let data else { return .null }
        let span = ByteSpan(start: bytes.count, count: data.count)
        bytes.append(contentsOf: data)
        return span
    }

    /// Swaps what waits with the poll thread's (emptied) buffers, keeping both allocations.
    mutating func take(into batch: inout ProduceBatch) {
        swap(&entries, &batch.entries)
        swap(&bytes, &batch.bytes)
        producing = !batch.entries.isEmpty
    }

    /// Takes whatever never reached the poll thread, for failing it after the poll thread stopped.
    mutating func takeAll() -> ProduceBatch {
        var batch = ProduceBatch()
        take(into: &batch)
        producing = false
        return batch
    }
}

/// The records the poll thread took from the handoff, and its buffers between batches.
struct ProduceBatch {
    var entries: [ProduceHandoff.Entry] = []
    var bytes: [UInt8] = []

    /// Calls `body` with each entry's produce arguments, in order, and empties the batch.
    mutating func drain(_ body: (ProduceHandoff.Entry, _ key: UnsafeRawPointer?, _ keyCount: Int, _ value: UnsafeRawPointer?, _ valueCount: Int) -> Void) {
        bytes.withUnsafeBytes { buffer in
            for entry in entries {
                let key = entry.key.pointer(in: buffer)
                let value = entry.value.pointer(in: buffer)
                body(entry, key, max(entry.key.count, 0), value, max(entry.value.count, 0))
            }
        }
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }
}

extension ByteSpan {
    /// The span's first byte in `buffer`: NULL when null, a valid address when empty (C tells
    /// "empty" from "null" by the pointer).
    func pointer(in buffer: UnsafeRawBufferPointer) -> UnsafeRawPointer? {
        guard count >= 0 else { return nil }
        guard count > 0, let base = buffer.baseAddress else { return UnsafeRawPointer(emptyByte) }
        return base + start
    }
}
