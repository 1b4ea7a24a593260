import NIOConcurrencyHelpers
import NIOCore

/// How ``ConnectionPool`` feeds events to its ``ConnectionPoolState`` and performs the
/// actions: one state method per event under the lock, the I/O outside it.
extension ConnectionPool {
    typealias Waiting = CheckedContinuation<Grant, Never>

    /// The state, and what the shell needs to act on its answers.
    struct Shell: Sendable {
        var state: State
        var nextWaiterID: UInt64 = 0
        /// Queued callers, by waiter id.
        var parked: [UInt64: Waiting] = [:]
        /// Answers that came for a queued caller before it parked.
        var early: [UInt64: Grant] = [:]
        /// The scheduled idle sweep, for shutdown to cancel.
        var idleSweep: Scheduled<Void>?

        /// Turns the waiters an action names into continuations to resume, or into early
        /// answers for callers queued but not parked yet.
        mutating func resolve(_ action: State.Action, caller: UInt64?) -> Work {
            var work = Work(close: action.close)
            switch action.waiter {
            case .none:
                break
            case .answer(let waiter, let grant) where waiter == caller:
                work.caller = .answer(grant)
            case .answer(let waiter, let grant):
                if let continuation = parked.removeValue(forKey: waiter) {
                    work.resumption = .one(continuation, grant)
                } else {
                    early[waiter] = grant
                }
            case .wait(let waiter, let deadline):
                assert(waiter == caller, "only a request's own waiter is queued")
                work.caller = .wait(deadline: deadline)
            case .failAll(let waiters, let error):
                let continuations = waiters.compactMap { waiter -> Waiting? in
                    if let continuation = parked.removeValue(forKey: waiter) { return continuation }
                    early[waiter] = .failed(error)
                    return nil
                }
                work.resumption = .all(continuations, error)
            }
            switch action.idleTimer {
            case .none: break
            case .schedule(let due): work.scheduleIdleSweep = due
            case .cancel: work.cancelIdleSweep = idleSweep.take()
            }
            return work
        }
    }

    /// An action with its waiters resolved under the lock, to perform outside it.
    struct Work {
        enum Caller {
            case none
            case answer(Grant)
            case wait(deadline: ContinuousClock.Instant)
        }

        enum Resumption {
            case none
            case one(Waiting, Grant)
            case all([Waiting], TransportError)
        }

        /// For the caller whose event it was: a request, or its connection established.
        var caller = Caller.none
        var resumption = Resumption.none
        var close: [PooledConnection]
        var scheduleIdleSweep: ContinuousClock.Instant?
        var cancelIdleSweep: Scheduled<Void>?
    }

    /// Sends one event to the state under the lock and performs its action outside it.
    /// `caller` is the waiter whose event it is, when it expects an answer of its own.
    @discardableResult
    func apply(caller: UInt64? = nil, _ event: (inout State, ContinuousClock.Instant) -> State.Action) -> Work {
        let now = ContinuousClock.now
        let work = shell.withLockedValue { shell in
            let action = event(&shell.state, now)
            return shell.resolve(action, caller: caller)
        }
        perform(work)
        return work
    }

    /// Performs an action's I/O: closes, resumptions, the idle sweep timer.
    func perform(_ work: Work) {
        for connection in work.close { connection.close() }
        switch work.resumption {
        case .none:
            break
        case .one(let continuation, let grant):
            continuation.resume(returning: grant)
        case .all(let continuations, let error):
            for continuation in continuations { continuation.resume(returning: .failed(error)) }
        }
        work.cancelIdleSweep?.cancel()
        if let due = work.scheduleIdleSweep { scheduleIdleSweep(at: due) }
    }

    /// Waits for the state's answer to a queued waiter, which comes with another event: a
    /// release, a freed place, its deadline timer, its task's cancellation, or shutdown.
    func park(_ waiter: UInt64, deadline: ContinuousClock.Instant) async -> Grant {
        let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
        let grant = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiting) in
                let early = shell.withLockedValue { shell -> Grant? in
                    if let grant = shell.early.removeValue(forKey: waiter) { return grant }
                    shell.parked[waiter] = continuation
                    return nil
                }
                if let early {
                    continuation.resume(returning: early)
                    return
                }
                // Only a parked caller needs one: an early answer leaves no wait to bound.
                let scheduled = group.any().scheduleTask(in: TimeAmount(deadline - .now)) { [self] in
                    _ = apply { state, now in state.timerFired(.deadline(waiter), now: now) }
                }
                timer.withLockedValue { $0 = scheduled }
            }
        } onCancel: {
            apply { state, _ in state.waiterCancelled(waiter) }
        }
        timer.withLockedValue { $0 }?.cancel()
        return grant
    }

    private func scheduleIdleSweep(at due: ContinuousClock.Instant) {
        let scheduled = group.any().scheduleTask(in: TimeAmount(due - .now)) { [weak self] in
            _ = self?.apply { state, now in state.timerFired(.idleSweep, now: now) }
        }
        // Kept for shutdown to cancel, unless the sweep came due or the pool shut down since.
        let superseded = shell.withLockedValue { shell -> Bool in
            guard shell.state.idleSweepDeadline == due else { return true }
            shell.idleSweep = scheduled
            return false
        }
        if superseded { scheduled.cancel() }
    }
}
