/// Remembers the first outcome per idempotency key (`requestId`, `submissionId`), as a pure
/// state machine: the caller supplies the time and resumes the waiters it is handed.
///
/// Rule 4 of the contract: a repeated key is not sent to the provider twice while remembered;
/// it re-emits the first outcome. A duplicate that arrives while the first is in flight waits
/// for it. Retryable failures are not remembered: the next attempt is processed anew.
///
/// Bounded: entries older than `retention` are forgotten, and beyond `maximumEntries` the
/// oldest finished entries go first. In-flight entries are never evicted.
struct IdempotencyState<Outcome: Sendable, Waiter> {
    /// What the caller holding a key must do.
    enum Claim {
        /// Nobody has this key: process it, then call `complete`.
        case owner
        /// Another record with this key is in flight: wait (the waiter was stored), then claim again.
        case wait
        /// Already done: re-emit this outcome.
        case replay(Outcome)
    }

    private enum Entry {
        case inFlight(waiters: [Waiter])
        case done(Outcome, at: ContinuousClock.Instant)
    }

    let retention: Duration
    let maximumEntries: Int
    private var entries: [String: Entry] = [:]
    /// Finished keys in completion order, for eviction by age and by count.
    private var order: [(key: String, at: ContinuousClock.Instant)] = []
    private var orderHead = 0
    private(set) var doneCount = 0

    init(retention: Duration, maximumEntries: Int) {
        self.retention = retention
        self.maximumEntries = maximumEntries
    }

    var count: Int { entries.count }

    /// Claims `key`, or registers `waiter` to be resumed when its owner completes.
    mutating func claim(_ key: String, now: ContinuousClock.Instant, waiter: () -> Waiter) -> Claim {
        evict(now: now)
        switch entries[key] {
        case nil:
            entries[key] = .inFlight(waiters: [])
            return .owner
        case .inFlight(var waiters):
            waiters.append(waiter())
            entries[key] = .inFlight(waiters: waiters)
            return .wait
        case .done(let outcome, _):
            return .replay(outcome)
        }
    }

    /// The outcome remembered for `key`, if it is finished (never waits, never claims).
    func finished(_ key: String) -> Outcome? {
        if case .done(let outcome, _) = entries[key] { return outcome }
        return nil
    }

    /// Remembers an outcome read back from the idempotency topic, finished `at`; a key already
    /// known here (in flight or done) is left alone.
    mutating func preload(_ key: String, outcome: Outcome, at: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        guard entries[key] == nil, now - at <= retention else { return }
        entries[key] = .done(outcome, at: at)
        order.append((key, at))
        doneCount += 1
        evict(now: now)
    }

    /// The owner of `key` is finished. `outcome` is remembered; `nil` forgets the key (a
    /// retryable failure, or work abandoned). Returns the waiters to resume; each claims again.
    mutating func complete(_ key: String, outcome: Outcome?, now: ContinuousClock.Instant) -> [Waiter] {
        guard case .inFlight(let waiters) = entries[key] else { return [] }
        if let outcome {
            entries[key] = .done(outcome, at: now)
            order.append((key, now))
            doneCount += 1
        } else {
            entries[key] = nil
        }
        evict(now: now)
        return waiters
    }

    private mutating func evict(now: ContinuousClock.Instant) {
        while orderHead < order.count {
            let (key, at) = order[orderHead]
            let tooOld = now - at > retention
            guard tooOld || doneCount > maximumEntries else { break }
            // The key may have been forgotten and reused since; only drop the entry it names.
            if case .done(_, let doneAt) = entries[key], doneAt == at {
                entries[key] = nil
                doneCount -= 1
            }
            orderHead += 1
        }
        if orderHead > 1024, orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }
}
