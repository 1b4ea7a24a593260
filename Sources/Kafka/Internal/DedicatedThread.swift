import Foundation
import Synchronization

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
        return await withCheckedContinuation { continuation in
            once.install(continuation)
            start(name: name) { once.resume(with: body()) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(with: nil)
            }
        }
    }

    /// Starts a detached thread running `body`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        thread.start()
    }
}

/// A continuation that the first of several racing parties resumes; later ones are ignored.
final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<T, Never>?, done: Bool)>((nil, false))

    func install(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0.0 = continuation }
    }

    func resume(with value: T) {
        let continuation: CheckedContinuation<T, Never>? = state.withLock {
            guard !$0.done, let continuation = $0.0 else { return nil }
            $0.done = true
            $0.0 = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
