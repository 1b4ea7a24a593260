extension ConnectionPoolState {
    /// What a waiter is given.
    enum Grant {
        /// An open connection, now the waiter's until it is released; `reused` when it has
        /// served a request before (a request it fails to write may be sent once more).
        case connection(Connection, reused: Bool)
        /// A place in the pool: the waiter opens a connection and reports
        /// ``ConnectionPoolState/connectionEstablished(_:for:)`` or
        /// ``ConnectionPoolState/connectFailed()``.
        case connect
        /// No connection: the waiter fails with this error.
        case failed(TransportError)
    }

    /// What the caller does for waiters.
    enum WaiterAction {
        case none
        /// Hands `grant` to the waiter. A queued waiter leaves the queue with it, so its
        /// deadline timer is no longer needed.
        case answer(Waiter, Grant)
        /// The waiter is queued: it waits for an answer, and its deadline timer is
        /// scheduled, to report ``Timer/deadline(_:)`` at `deadline`.
        case wait(Waiter, deadline: ContinuousClock.Instant)
        /// Fails every listed waiter with the error.
        case failAll([Waiter], TransportError)
    }

    /// What the caller does with the pool's one idle sweep timer.
    enum IdleTimerAction: Equatable {
        case none
        /// Schedules the sweep, to report ``Timer/idleSweep`` at the instant.
        case schedule(at: ContinuousClock.Instant)
        /// Cancels the scheduled sweep.
        case cancel
    }

    /// The timers the state asks for.
    enum Timer: Hashable {
        /// A queued waiter's deadline.
        case deadline(Waiter)
        /// The oldest idle connection's idle timeout.
        case idleSweep
    }

    /// What one event asks the caller to do. Each part is independent of the others.
    struct Action {
        var waiter: WaiterAction = .none
        /// Connections to close; none of them is counted any more.
        var close: [Connection] = []
        var idleTimer: IdleTimerAction = .none

        static var nothing: Action { Action() }
    }
}

extension ConnectionPoolState.Grant: Sendable where Connection: Sendable {}
extension ConnectionPoolState.Grant: Equatable {}
extension ConnectionPoolState.WaiterAction: Sendable where Connection: Sendable, Waiter: Sendable {}
extension ConnectionPoolState.WaiterAction: Equatable {}
extension ConnectionPoolState.IdleTimerAction: Sendable {}
extension ConnectionPoolState.Timer: Sendable where Waiter: Sendable {}
extension ConnectionPoolState.Action: Sendable where Connection: Sendable, Waiter: Sendable {}
extension ConnectionPoolState.Action: Equatable {}
