import Synchronization

/// Pending deliveries, each passed to librdkafka as the message opaque.
///
/// Every path releases an entry exactly once (rule 2 of the wrapping notes): `complete` when
/// the delivery report arrives (purged records report too), `cancel` when the produce call
/// itself failed, since those never get a report. No lock is shared between the sending
/// threads and the poll thread: a table behind one lock made both wait on each other for
/// every record.
final class DeliveryTable: Sendable {
    typealias Completion = @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    private final class Pending: Sendable {
        let topic: String
        let completion: Completion

        init(topic: String, completion: @escaping Completion) {
            self.topic = topic
            self.completion = completion
        }
    }

    /// Two counters rather than one: senders only add to `registered` and the poll thread only
    /// adds to `finished`, each on a cache line of its own. One counter that both sides changed
    /// for every record kept moving its cache line between the cores.
    private let registered = PaddedCounter()
    private let finished = PaddedCounter()

    /// Registers a completion and returns the opaque to hand to librdkafka with the record.
    func register(topic: String, _ completion: @escaping Completion) -> UnsafeMutableRawPointer {
        registered.value.add(1, ordering: .relaxed)
        return Unmanaged.passRetained(Pending(topic: topic, completion: completion)).toOpaque()
    }

    /// Releases a registration whose produce call failed.
    func cancel(_ opaque: UnsafeMutableRawPointer) {
        Unmanaged<Pending>.fromOpaque(opaque).release()
        registered.value.subtract(1, ordering: .relaxed)
    }

    /// Completes a delivery from librdkafka's report.
    func complete(_ opaque: UnsafeMutableRawPointer, _ result: Result<(partition: Int32, offset: Int64), KafkaError>) {
        let pending = Unmanaged<Pending>.fromOpaque(opaque).takeRetainedValue()
        finished.value.add(1, ordering: .relaxed)
        pending.completion(result.map { KafkaDeliveryReport(topic: pending.topic, partition: $0.partition, offset: $0.offset) })
    }

    /// How many deliveries are waiting for a report (a snapshot: both counters move while it is
    /// read; `finished` is read first so that the difference errs high, and never below zero).
    var count: Int {
        let done = finished.value.load(ordering: .acquiring)
        return max(0, registered.value.load(ordering: .acquiring) - done)
    }
}

/// An atomic counter that shares its cache line with nothing else written often.
private final class PaddedCounter: Sendable {
    let value = Atomic<Int>(0)
    // 56 bytes after the counter: the next object's fields start on another 64-byte line.
    private let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
}
