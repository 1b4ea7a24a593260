import Synchronization

/// Pending deliveries by the integer id passed to librdkafka as the message opaque (rule 2:
/// no ARC object crosses into C, so a produce call that fails can never leak or double-free).
final class DeliveryTable: Sendable {
    typealias Completion = @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    private struct Pending {
        var topic: String
        var completion: Completion
    }

    private struct State {
        var nextID: UInt64 = 1
        var pending: [UInt64: Pending] = [:]
    }

    private let state = Mutex(State())

    /// Registers a completion and returns the id to hand to librdkafka.
    func register(topic: String, _ completion: @escaping Completion) -> UInt64 {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.pending[id] = Pending(topic: topic, completion: completion)
            return id
        }
    }

    /// Forgets a registration whose produce call failed (librdkafka never reports those).
    func cancel(_ id: UInt64) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Completes a delivery from librdkafka's report.
    func complete(_ id: UInt64, _ result: Result<(partition: Int32, offset: Int64), KafkaError>) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.completion(result.map { KafkaDeliveryReport(topic: pending.topic, partition: $0.partition, offset: $0.offset) })
    }

    /// How many deliveries are waiting for a report.
    var count: Int { state.withLock { $0.pending.count } }

    /// Fails every pending delivery; used when the producer closes with records it could not deliver.
    func failAll(_ error: KafkaError) {
        let pending = state.withLock { state in
            defer { state.pending = [:] }
            return state.pending
        }
        for (_, entry) in pending { entry.completion(.failure(error)) }
    }
}
