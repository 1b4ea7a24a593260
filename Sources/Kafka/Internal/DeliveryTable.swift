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

    private let outstanding = Atomic<Int>(0)

    /// Registers a completion and returns the opaque to hand to librdkafka with the record.
    func register(topic: String, _ completion: @escaping Completion) -> UnsafeMutableRawPointer {
        outstanding.add(1, ordering: .relaxed)
        return Unmanaged.passRetained(Pending(topic: topic, completion: completion)).toOpaque()
    }

    /// Releases a registration whose produce call failed.
    func cancel(_ opaque: UnsafeMutableRawPointer) {
        Unmanaged<Pending>.fromOpaque(opaque).release()
        outstanding.subtract(1, ordering: .relaxed)
    }

    /// Completes a delivery from librdkafka's report.
    func complete(_ opaque: UnsafeMutableRawPointer, _ result: Result<(partition: Int32, offset: Int64), KafkaError>) {
        let pending = Unmanaged<Pending>.fromOpaque(opaque).takeRetainedValue()
        outstanding.subtract(1, ordering: .relaxed)
        pending.completion(result.map { KafkaDeliveryReport(topic: pending.topic, partition: $0.partition, offset: $0.offset) })
    }

    /// How many deliveries are waiting for a report.
    var count: Int { outstanding.load(ordering: .relaxed) }
}
