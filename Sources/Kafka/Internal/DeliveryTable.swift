import CRdKafka
import Synchronization

/// Pending deliveries, each passed to librdkafka as the message opaque.
///
/// Two kinds of opaque: a retained `Pending` (a completion of its own, for `send` and
/// `enqueue(_:onDelivery:)`), or a caller's token with the lowest bit set (object addresses
/// are aligned, so the bit tells them apart), whose report goes to the producer's one
/// delivery handler. Tokens cost no allocation per record, which is what librdkafka's own
/// model (one callback, an opaque per message) costs in C.
///
/// Reports name their topic from the record's topic handle (`TopicName`), for both kinds.
///
/// Every path releases an entry exactly once (docs/kafka-layer.md, trap 2): `complete` when
/// the delivery report arrives (purged records report too), `fail` when the poll thread's
/// produce call refused the record or never ran (no report comes for those), `cancel` when the
/// record was not even handed off. No lock is shared between the sending threads and the
/// poll thread: a table behind one lock would make both wait on each other for every record.
final class DeliveryTable: Sendable {
    typealias Completion = @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    typealias TokenCompletion = @Sendable (UInt, Result<KafkaDeliveryReport, KafkaError>) -> Void

    /// Receives the reports of records enqueued with a token.
    private let tokenCompletion: TokenCompletion?

    init(tokenCompletion: TokenCompletion? = nil) {
        self.tokenCompletion = tokenCompletion
    }

    /// The largest token `register(token:)` takes: one bit of the opaque marks it as a token.
    static let maxToken = UInt.max >> 1

    private final class Pending: Sendable {
        let completion: Completion

        init(completion: @escaping Completion) {
            self.completion = completion
        }
    }

    /// Two counters rather than one: senders only add to `registered` and the poll thread only
    /// adds to `finished`, each on a cache line of its own. One counter that both sides change
    /// for every record would move its cache line between the cores each time.
    private let registered = PaddedCounter()
    private let finished = PaddedCounter()

    /// Registers a completion and returns the opaque to hand to librdkafka with the record.
    func register(_ completion: @escaping Completion) -> UnsafeMutableRawPointer {
        registered.value.add(1, ordering: .relaxed)
        return Unmanaged.passRetained(Pending(completion: completion)).toOpaque()
    }

    /// Registers a record whose report goes to the token handler; returns its opaque.
    func register(token: UInt) -> UnsafeMutableRawPointer {
        precondition(token <= Self.maxToken, "delivery tokens go up to KafkaProducer.maxDeliveryToken")
        registered.value.add(1, ordering: .relaxed)
        return UnsafeMutableRawPointer(bitPattern: token << 1 | 1)!
    }

    private static func isToken(_ opaque: UnsafeMutableRawPointer) -> Bool { UInt(bitPattern: opaque) & 1 == 1 }

    /// Releases a registration whose record was not handed off.
    func cancel(_ opaque: UnsafeMutableRawPointer) {
        if !Self.isToken(opaque) { Unmanaged<Pending>.fromOpaque(opaque).release() }
        registered.value.subtract(1, ordering: .relaxed)
    }

    /// Fails a registration whose produce call failed, or never ran, on the poll thread: no
    /// report will come for it, and it was not written.
    func fail(_ opaque: UnsafeMutableRawPointer, _ error: KafkaError) {
        var error = error
        error.persistence = .notPersisted
        complete(opaque, topic: nil, .failure(error))
    }

    /// Completes a delivery from librdkafka's report. `topic` is the record's topic handle,
    /// whose opaque is its `TopicName`.
    func complete(_ opaque: UnsafeMutableRawPointer, topic: OpaquePointer?, _ result: Result<(partition: Int32, offset: Int64), KafkaError>) {
        finished.value.add(1, ordering: .relaxed)
        let report = result.map { KafkaDeliveryReport(topic: TopicName.of(topic), partition: $0.partition, offset: $0.offset) }
        guard Self.isToken(opaque) else {
            Unmanaged<Pending>.fromOpaque(opaque).takeRetainedValue().completion(report)
            return
        }
        tokenCompletion?(UInt(bitPattern: opaque) >> 1, report)
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

/// A topic's name, kept as its librdkafka topic handle's opaque so that a delivery report can
/// name the topic without a lock or a lookup.
final class TopicName: Sendable {
    let name: String

    init(_ name: String) { self.name = name }

    /// The name stored on a producer's topic handle.
    static func of(_ topic: OpaquePointer?) -> String {
        guard let topic, let opaque = rd_kafka_topic_opaque(topic) else { return "" }
        return Unmanaged<TopicName>.fromOpaque(opaque).takeUnretainedValue().name
    }
}
