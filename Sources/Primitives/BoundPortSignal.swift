/// Tells waiters the port a server bound, or why it never did: the sandbox and the worker's
/// observability server both bind port 0 in tests and report the port the system chose.
package final class BoundPortSignal: Sendable {
    private enum State: Sendable {
        case waiting([Int: CheckedContinuation<Int, any Error>])
        case listening(port: Int)
        case failed(any Error)
    }

    private struct Box: Sendable {
        var state: State = .waiting([:])
        var nextID = 0
    }

    private let box = Locked(Box())

    package init() {}

    /// Records the bound port; ignored once resolved.
    package func succeed(port: Int) {
        resolve(.listening(port: port))
    }

    /// Records that the server will never listen; ignored once resolved.
    package func fail(_ error: any Error) {
        resolve(.failed(error))
    }

    /// The bound port, once there is one.
    package var port: Int? {
        box.withLock { box in
            if case .listening(let port) = box.state { return port }
            return nil
        }
    }

    /// Waits for the bound port; throws the server's error, or `CancellationError` if cancelled.
    package func wait() async throws -> Int {
        let id = box.withLock { box in
            defer { box.nextID += 1 }
            return box.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let verdict: Result<Int, any Error>? = box.withLock { box in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    switch box.state {
                    case .listening(let port): return .success(port)
                    case .failed(let error): return .failure(error)
                    case .waiting(var waiters):
                        waiters[id] = continuation
                        box.state = .waiting(waiters)
                        return nil
                    }
                }
                if let verdict { continuation.resume(with: verdict) }
            }
        } onCancel: {
            let continuation = box.withLock { box -> CheckedContinuation<Int, any Error>? in
                guard case .waiting(var waiters) = box.state, let continuation = waiters.removeValue(forKey: id)
                else { return nil }
                box.state = .waiting(waiters)
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func resolve(_ outcome: State) {
        let waiters = box.withLock { box -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = box.state else { return [] }
            box.state = outcome
            return Array(waiters.values)
        }
        for waiter in waiters {
            switch outcome {
            case .listening(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .waiting: break
            }
        }
    }
}
