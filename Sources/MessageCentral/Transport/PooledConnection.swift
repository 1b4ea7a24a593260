import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One keep-alive connection to the provider, carrying one request at a time.
final class PooledConnection: Sendable {
    let channel: any Channel
    private let collector: NIOLoopBound<ResponseCollector>
    private let requests = NIOLockedValueBox<UInt64>(0)

    init(channel: any Channel, collector: NIOLoopBound<ResponseCollector>) {
        self.channel = channel
        self.collector = collector
    }

    /// Sends `head` and waits for the whole answer, failing at `deadline` or on cancellation
    /// (either closes the connection).
    func send(_ head: HTTPRequestHead, deadline: NIODeadline) async throws -> CollectedResponse {
        let promise = channel.eventLoop.makePromise(of: CollectedResponse.self)
        let collector = self.collector
        let id = requests.withLockedValue { count in
            count += 1
            return count
        }
        return try await withTaskCancellationHandler {
            channel.eventLoop.execute { collector.value.send(head, id: id, deadline: deadline, promise: promise) }
            return try await promise.futureResult.get()
        } onCancel: {
            channel.eventLoop.execute { collector.value.cancel(id: id) }
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Compared by identity: the pool's state tells connections apart by the object.
extension PooledConnection: Hashable {
    static func == (lhs: PooledConnection, rhs: PooledConnection) -> Bool { lhs === rhs }

    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
