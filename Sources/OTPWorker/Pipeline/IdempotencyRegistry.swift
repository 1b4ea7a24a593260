#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Primitives

/// The worker's memory of outcomes per idempotency key, shared by all lanes.
///
/// Usage: `claim` a key; as `.owner`, process and then `complete` on every path (a `nil`
/// outcome forgets the key so that the next attempt runs anew); `.replay` hands back the
/// first outcome; `.adopt` makes the caller owner of an outcome to publish without a provider
/// call. Waiting for an in-flight owner happens inside `claim`.
///
/// What this process decides is kept for its input partition and only while it owns it (see
/// ``IdempotencyState``): `isCurrent` is asked under the memory's lock, so that a result
/// completing while its partition is handed over cannot slip in after ``forget(origins:)``.
final class IdempotencyRegistry<Outcome: Sendable>: Sendable {
    /// What a caller gets for a key.
    enum Claim: Sendable {
        case owner
        case replay(Outcome)
        /// Owner, with an outcome this process decided but never published: publish it, then
        /// `complete` as an owner does.
        case adopt(Outcome)
    }

    /// Resumed with a decision, or with nil when the owner finished and the waiter must claim again.
    private typealias Waiter = CheckedContinuation<Claim?, Never>
    private let state: Locked<IdempotencyState<Outcome, Waiter, KafkaTopicPartition>>

    init(retention: Duration, maximumEntries: Int) {
        state = Locked(IdempotencyState(retention: retention, maximumEntries: maximumEntries))
    }

    /// Remembered keys (finished and in flight).
    var count: Int { state.withLock { $0.count } }

    /// Becomes the owner of `key`, or returns the first outcome, waiting while another record
    /// with the same key is in flight. The wait ends when that owner completes, which it does on
    /// every path within its provider deadline.
    func claim(_ key: String) async -> Claim {
        while true {
            let decided: Claim? = await withCheckedContinuation { (continuation: Waiter) in
                let claim = state.withLock { $0.claim(key, now: .now, waiter: { continuation }) }
                switch claim {
                case .owner: continuation.resume(returning: .owner)
                case .replay(let outcome): continuation.resume(returning: .replay(outcome))
                case .adopt(let outcome): continuation.resume(returning: .adopt(outcome))
                case .wait: break
                }
            }
            if let decided { return decided }
        }
    }

    /// The finished outcome of `key`, if remembered.
    func finished(_ key: String) -> Outcome? {
        state.withLock { $0.finished(key) }
    }

    /// Remembers `outcome` for `key`, decided now for `origin`, unless the key is already known
    /// or `isCurrent` says the partition went.
    func remember(_ key: String, outcome: Outcome, origin: KafkaTopicPartition, isCurrent: () -> Bool) {
        state.withLock { $0.remember(key, outcome: outcome, origin: origin, current: isCurrent(), now: .now) }
    }

    /// Forgets what this process decided for `partitions`, which are assigned to it again:
    /// the idempotency topic, loaded next, is the truth now.
    func forget(origins partitions: Set<KafkaTopicPartition>) {
        state.withLock { $0.forget(origins: partitions) }
    }

    /// Remembers outcomes read back from the idempotency topic (finished at wall-clock `at`).
    func preload(_ entries: [(key: String, outcome: Outcome, at: Date)]) {
        let now = ContinuousClock.now
        let wallNow = Date()
        state.withLock { state in
            for entry in entries {
                let age = max(0, wallNow.timeIntervalSince(entry.at))
                state.preload(entry.key, outcome: entry.outcome, at: now - .milliseconds(Int64(age * 1000)), now: now)
            }
        }
    }

    /// The owner of `key` is done: remember `outcome` for `origin`, or forget the key when `nil`
    /// or when `isCurrent` says the partition went (then only a loaded entry is kept).
    func complete(_ key: String, outcome: Outcome?, origin: KafkaTopicPartition, isCurrent: () -> Bool) {
        let waiters = state.withLock { $0.complete(key, outcome: outcome, origin: origin, current: isCurrent(), now: .now) }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
