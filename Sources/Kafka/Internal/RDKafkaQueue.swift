import CRdKafka

/// Owns an `rd_kafka_queue_t` reference.
///
/// `@unchecked Sendable`: librdkafka queues are thread-safe; the pointer is fixed and released
/// once, by `destroy`, after the poll thread stopped using it.
final class RDKafkaQueue: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// Makes a blocking poll on this queue return at once.
    func wake() {
        rd_kafka_queue_yield(pointer)
    }

    func destroy() {
        rd_kafka_queue_destroy(pointer)
    }
}
