import Primitives
import Synchronization

/// A dedicated thread that calls `body` until stopped. librdkafka's blocking polls live here,
/// off the cooperative pool (docs/kafka-layer.md, trap 3), and every callback is served from this one thread.
final class PollLoop: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let exit = Locked<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Starts the thread at once. `body` must return within about one poll timeout; the loop
    /// also ends when `body` returns false.
    init(name: String, body: @escaping @Sendable () -> Bool) {
        DedicatedThread.start(name: name) { [self] in
            while !stopping.load(ordering: .acquiring), body() {}
            let waiters = exit.withLock { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Whether `stop` has been asked for.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asks the thread to stop and waits until its current `body` call has returned.
    func stop() async {
        stopping.store(true, ordering: .releasing)
        await withCheckedContinuation { continuation in
            let done = exit.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}
