import CPrimitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking calls (librdkafka's among them) on threads of their own, never on the cooperative pool
/// (docs/kafka-layer.md, traps 3 and 9: a blocked pool thread starves every task).
package enum DedicatedThread {
    /// Runs `body` on a new thread and returns its result.
    package static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(name: name) { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on a new thread; returns its result, or `nil` if it is still running after
    /// `timeout`. librdkafka's close and destroy can hang in 2.0.2; the caller must not.
    package static func run<T: Sendable>(name: String, timeout: Duration, _ body: @escaping @Sendable () -> T) async -> T? {
        let once = ResumeOnce<T?>()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            once.resume(with: nil)
        }
        defer { timer.cancel() }
        start(name: name) { once.resume(with: body()) }
        return await withCheckedContinuation { once.install($0) }
    }

    /// Starts a detached thread running `body`.
    ///
    /// Plain pthreads rather than Foundation's `Thread`: the Kafka layer needs nothing else
    /// from Foundation, and leaving it out keeps its libraries out of every process's memory.
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let err = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ThreadStart>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, start)
        precondition(err == 0, "pthread_create failed: \(err)")
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        pthread_detach(thread!)
        #endif
    }
}

/// What a new thread runs: names itself (as `top` and `gdb` show it), then the body.
private final class ThreadStart {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    func run() {
        otp_thread_set_name(name)
        body()
    }
}

/// A continuation that the first of several racing parties resumes; later ones are ignored.
/// A party may finish before the waiter installs its continuation: the value is kept for it.
package final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var early: T?
        var done = false
    }

    private let state = Locked(State())

    package init() {}

    /// Installs the waiter's continuation, resuming it at once if a party already finished.
    package func install(_ continuation: CheckedContinuation<T, Never>) {
        let early: T? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Resumes the waiter with `value` if no party did before.
    package func resume(with value: T) {
        let continuation: CheckedContinuation<T, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = value
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
