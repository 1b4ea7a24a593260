import NIOConcurrencyHelpers

/// Holds hung requests until the sandbox stops.
///
/// A hung request also ends when its task is cancelled, which is how the
/// handler learns that the client closed the connection. Once released, the
/// gate stays open: a request that starts hanging during shutdown returns at once.
final class HangGate: Sendable {
    private struct State: Sendable {
        var released = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        /// The client port of each waiter's connection, when known.
        var clientPorts: [Int: Int] = [:]
        /// Waiters cancelled before they registered; they must not register afterwards.
        var cancelledEarly: Set<Int> = []
    }

    private let state = NIOLockedValueBox(State())

    /// Suspends until ``releaseAll()``; throws `CancellationError` if the task is cancelled first.
    /// - Parameter clientPort: the port of the client end of the request's connection.
    func wait(clientPort: Int? = nil) async throws {
        let id = state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let verdict: Result<Void, any Error>? = state.withLockedValue { state in
                    if state.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                    if state.released { return .success(()) }
                    state.waiters[id] = continuation
                    state.clientPorts[id] = clientPort
                    return nil
                }
                if let verdict { continuation.resume(with: verdict) }
            }
        } onCancel: {
            let continuation = state.withLockedValue { state in
                state.clientPorts[id] = nil
                guard let continuation = state.waiters.removeValue(forKey: id) else {
                    state.cancelledEarly.insert(id)
                    return CheckedContinuation<Void, any Error>?.none
                }
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Lets every current and future waiter go.
    func releaseAll() {
        let waiters = state.withLockedValue { state in
            state.released = true
            state.clientPorts.removeAll()
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Requests hanging right now.
    var waitingCount: Int { state.withLockedValue { $0.waiters.count } }

    /// The client ports of the connections of the requests hanging right now.
    var waitingClientPorts: [Int] { state.withLockedValue { Array($0.clientPorts.values) } }
}
