import Primitives
/// The records of a `KafkaConsumer` in batches: whatever is buffered, up to a limit, in one
/// step. Same order, backpressure and end as `KafkaConsumerRecords`.
///
/// For throughput: the reader takes the consumer's lock once per batch instead of once per
/// record, and the sequence suspends once per batch. A batch is never empty; the reader waits
/// for the first record only, never to fill a batch (an idle topic adds no latency). Mark the
/// records done with `markDone(_:)`, one by one or the whole batch at once.
public struct KafkaConsumerBatches: AsyncSequence, Sendable {
    public typealias Element = [KafkaConsumerRecord]
    public typealias Failure = KafkaError

    let consumer: KafkaConsumer
    let limit: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, limit: limit)
    }

    /// Reads batches one by one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let limit: Int

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> [KafkaConsumerRecord]? {
            if let batch = try consumer.takeReadyBatch(limit: limit) { return batch.isEmpty ? nil : batch }
            // Nothing buffered: wait for one record, then take what arrived with it.
            guard let first = try await consumer.nextRecord(isolation: actor) else { return nil }
            var batch = [first]
            if limit > 1, let more = try consumer.takeReadyBatch(limit: limit - 1), !more.isEmpty {
                batch.append(contentsOf: more)
            }
            return batch
        }

        public mutating func next() async throws(KafkaError) -> [KafkaConsumerRecord]? {
            try await next(isolation: nil)
        }
    }
}

extension KafkaConsumer {
    /// The records in batches of at most `limit` (see `KafkaConsumerBatches`).
    public func batches(limit: Int = 512) -> KafkaConsumerBatches {
        precondition(limit >= 1, "a batch holds at least one record")
        return KafkaConsumerBatches(consumer: self, limit: limit)
    }

    /// Buffered records, up to `limit`, without suspending: nil when none is buffered, an empty
    /// array once the stream ended.
    func takeReadyBatch(limit: Int) throws(KafkaError) -> [KafkaConsumerRecord]? {
        switch state.withLock({ $0.nextBatch(limit: limit) }) {
        case .records(let records, let resumeFetching, let wakePollThread):
            releaseFlowControl(resumeFetching: resumeFetching, wakePollThread: wakePollThread)
            return records
        case .finished(let result):
            try result.get()
            return []
        case .wait:
            return nil
        }
    }
}
