import Dispatch
import Primitives

/// The records of a `KafkaConsumer`, as an asynchronous sequence with backpressure: fetching
/// pauses while the reader is `bufferCapacity` records behind.
///
/// One reader at a time. The sequence ends when the consumer closes and throws when it hits a
/// fatal error. A reader parked waiting for records is woken by records or by `close`, not by
/// task cancellation.
public struct KafkaConsumerRecords: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerRecord
    public typealias Failure = KafkaError

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer)
    }

    /// Reads records one by one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KafkaError) -> KafkaConsumerRecord? {
            // A buffered record is taken without a further async call: entering one costs an
            // executor check and a task-allocator frame per record. Stay on the caller's
            // executor when waiting: hopping to the global one and back costs more than a record.
            if case .ready(let record) = try consumer.takeReady() { return record }
            return try await consumer.nextRecord(isolation: actor)
        }

        public mutating func next() async throws(KafkaError) -> KafkaConsumerRecord? {
            if case .ready(let record) = try consumer.takeReady() { return record }
            return try await consumer.nextRecord()
        }
    }
}

extension KafkaConsumer {
    enum Ready {
        /// A record, or nil once the stream ended.
        case ready(KafkaConsumerRecord?)
        case wait
    }

    /// The next record if one is buffered (or the end), without suspending.
    func takeReady() throws(KafkaError) -> Ready {
        switch state.withLock({ $0.next() }) {
        case .record(let record, let resumeFetching, let wakePollThread):
            releaseFlowControl(resumeFetching: resumeFetching, wakePollThread: wakePollThread)
            return .ready(record)
        case .finished(let result):
            try result.get()
            return .ready(nil)
        case .wait:
            return .wait
        }
    }

    /// Acts on what taking records released: resumes fetching, wakes a poll thread waiting for room.
    func releaseFlowControl(resumeFetching: Bool, wakePollThread: Bool) {
        if resumeFetching { self.resumeFetching() }
        if wakePollThread { room.signal() }
    }

    func nextRecord(isolation actor: isolated (any Actor)? = #isolation) async throws(KafkaError) -> KafkaConsumerRecord? {
        switch state.withLock({ $0.next() }) {
        case .record(let record, let resumeFetching, let wakePollThread):
            releaseFlowControl(resumeFetching: resumeFetching, wakePollThread: wakePollThread)
            return record
        case .finished(let result):
            try result.get()
            return nil
        case .wait:
            break
        }
        let result: Result<KafkaConsumerRecord?, KafkaError> = await withCheckedContinuation { continuation in
            let immediate: (Result<KafkaConsumerRecord?, KafkaError>, resumeFetching: Bool, wakePollThread: Bool)? =
                state.withLock { state in
                    switch state.next() {
                    case .record(let record, let resumeFetching, let wakePollThread):
                        return (.success(record), resumeFetching, wakePollThread)
                    case .finished(let result): return (result.map { nil }, false, false)
                    case .wait:
                        state.park(continuation)
                        return nil
                    }
                }
            guard let (result, resumeFetching, wakePollThread) = immediate else { return }
            // Each is reported once: dropped here, a poll thread would wait out its bound, or
            // fetching stay paused, with a buffer of one or two records.
            releaseFlowControl(resumeFetching: resumeFetching, wakePollThread: wakePollThread)
            continuation.resume(returning: result)
        }
        return try result.get()
    }
}
