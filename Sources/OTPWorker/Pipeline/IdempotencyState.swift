/// Remembers the first outcome per idempotency key (`requestId`, `submissionId`), as a pure
/// state machine: the caller supplies the time and resumes the waiters it is handed.
///
/// docs/events.md, processing rule 4: a repeated key is not sent to the provider twice while
/// remembered; it re-emits the first outcome. A duplicate that arrives while the first is in
/// flight waits for it. Retryable failures are not remembered: the next attempt is processed anew.
///
/// The idempotency topic is the truth across owners. What this process decided itself is kept
/// with its origin (the input partition) and is only as good as its ownership of it:
/// - an outcome completed after its partition went (a stale result) was never published. It is
///   kept aside as *unpublished*: never replayed as it is, since the next owner may answer the
///   same key differently, but handed to this process's next claim of the key to publish as
///   its own (``Claim/adopt(_:)``) when nobody else answered meanwhile. The provider was called
///   and an SMS may be out: calling again would only get REQUEST_ALREADY_EXISTS;
/// - when a partition is assigned again, what was published for it from an earlier ownership is
///   forgotten (``forget(origins:)``) and the topic's entries are loaded instead (``preload``);
///   a loaded entry replaces an unpublished one: the topic says what holds now;
/// - an entry loaded while a stale call on its key is still running takes that call's place.
///
/// Bounded: entries older than `retention` are forgotten, and beyond `maximumEntries` the
/// oldest finished entries go first. In-flight entries are never evicted.
struct IdempotencyState<Outcome: Sendable, Waiter, Origin: Hashable> {
    /// What the caller holding a key must do.
    enum Claim {
        /// Nobody has this key: process it, then call `complete`.
        case owner
        /// Another record with this key is in flight: wait (the waiter was stored), then claim again.
        case wait
        /// Already done: re-emit this outcome.
        case replay(Outcome)
        /// This process decided this outcome while the key's partition was away and never
        /// published it: publish it as this owner's own outcome, then call `complete`.
        case adopt(Outcome)
    }

    private enum Entry {
        /// `loaded`: an entry of the idempotency topic that arrived while the key was in flight.
        case inFlight(waiters: [Waiter], loaded: (Outcome, at: ContinuousClock.Instant)?)
        /// `origin`: the partition whose ownership decided it; nil when it came from the topic.
        case done(Outcome, at: ContinuousClock.Instant, origin: Origin?)
        /// Decided after its partition went, so never published (see the type's notes).
        case unpublished(Outcome, at: ContinuousClock.Instant)

        /// When a finished entry was decided or loaded; nil while in flight.
        var finishedAt: ContinuousClock.Instant? {
            switch self {
            case .inFlight: nil
            case .done(_, let at, _), .unpublished(_, let at): at
            }
        }
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
            entries[key] = .inFlight(waiters: [], loaded: nil)
            return .owner
        case .inFlight(var waiters, let loaded):
            waiters.append(waiter())
            entries[key] = .inFlight(waiters: waiters, loaded: loaded)
            return .wait
        case .done(let outcome, _, _):
            return .replay(outcome)
        case .unpublished(let outcome, _):
            entries[key] = .inFlight(waiters: [], loaded: nil)
            doneCount -= 1
            return .adopt(outcome)
        }
    }

    /// The outcome remembered for `key`, if it is finished (never waits, never claims).
    func finished(_ key: String) -> Outcome? {
        if case .done(let outcome, _, _) = entries[key] { return outcome }
        return nil
    }

    /// Remembers an entry read back from the idempotency topic, finished `at`. A finished key
    /// is left alone (it is either this owner's own, current outcome or an earlier load); a key
    /// in flight keeps the entry for when its call completes stale; an unpublished outcome gives
    /// way to it.
    mutating func preload(_ key: String, outcome: Outcome, at: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        guard now - at <= retention else { return }
        switch entries[key] {
        case .unpublished:
            doneCount -= 1
            markDone(key, outcome, at: at, origin: nil)
            evict(now: now)
        case nil:
            markDone(key, outcome, at: at, origin: nil)
            evict(now: now)
        case .inFlight(let waiters, _):
            entries[key] = .inFlight(waiters: waiters, loaded: (outcome, at))
        case .done:
            return
        }
    }

    /// Remembers `outcome` for `key` decided by this process for `origin`, unless the key is
    /// known already or `current` is false (the partition went: the result is stale).
    mutating func remember(_ key: String, outcome: Outcome, origin: Origin, current: Bool, now: ContinuousClock.Instant) {
        guard current, entries[key] == nil else { return }
        markDone(key, outcome, at: now, origin: origin)
        evict(now: now)
    }

    /// The owner of `key` is finished. A `current` outcome is remembered for `origin`; `nil`
    /// forgets the key (a retryable failure, or work abandoned). A stale completion keeps what
    /// the topic said meanwhile, or else its outcome as unpublished. Returns the waiters; each
    /// claims again.
    mutating func complete(
        _ key: String, outcome: Outcome?, origin: Origin? = nil, current: Bool = true, now: ContinuousClock.Instant
    ) -> [Waiter] {
        guard case .inFlight(let waiters, let loaded) = entries[key] else { return [] }
        entries[key] = nil
        if current, let outcome {
            markDone(key, outcome, at: now, origin: origin)
        } else if let (outcome, at) = loaded, now - at <= retention {
            markDone(key, outcome, at: at, origin: nil)
        } else if let outcome {
            finish(key, .unpublished(outcome, at: now), at: now)
        }
        evict(now: now)
        return waiters
    }

    /// Forgets the published outcomes this process decided for `origins`: they are being
    /// assigned again, and the idempotency topic (loaded next) says what holds now. Unpublished
    /// ones stay, for keys the topic has no entry for.
    mutating func forget(origins: Set<Origin>) {
        for (key, entry) in entries {
            if case .done(_, _, let origin?) = entry, origins.contains(origin) {
                entries[key] = nil
                doneCount -= 1
            }
        }
    }

    private mutating func markDone(_ key: String, _ outcome: Outcome, at: ContinuousClock.Instant, origin: Origin?) {
        finish(key, .done(outcome, at: at, origin: origin), at: at)
    }

    /// Stores a finished entry and queues it for eviction.
    private mutating func finish(_ key: String, _ entry: Entry, at: ContinuousClock.Instant) {
        entries[key] = entry
        order.append((key, at))
        doneCount += 1
    }

    private mutating func evict(now: ContinuousClock.Instant) {
        while orderHead < order.count {
            let (key, at) = order[orderHead]
            let tooOld = now - at > retention
            guard tooOld || doneCount > maximumEntries else { break }
            // The key may have been forgotten and reused since; only drop the entry it names.
            if let doneAt = entries[key]?.finishedAt, doneAt == at {
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
