import Foundation

/// Runs blocking librdkafka calls on threads of their own, never on the cooperative pool
/// (rules 3 and 9 of the wrapping notes: a blocked pool thread starves every task).
enum DedicatedThread {
    /// Runs `body` on a new thread and returns its result.
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(name: name) { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on a new thread; returns its result, or `nil` if it is still running after
    /// `timeout`. librdkafka's close and destroy can hang in 2.0.2; the caller must not.
    static func run<T: Sendable>(name: String, timeout: Duration, _ body: @escaping @Sendable () -> T) async -> T? {
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
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        thread.start()
    }
}

/// A continuation that the first of several racing parties resumes; later ones are ignored.
/// A party may finish before the waiter installs its continuation: the value is kept for it.
final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var early: T?
        var done = false
    }

    private let state = Locked(State())

    func install(_ continuation: CheckedContinuation<T, Never>) {
        let early: T? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(with value: T) {
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
