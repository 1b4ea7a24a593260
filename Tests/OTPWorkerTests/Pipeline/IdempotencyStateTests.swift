import Testing

@testable import OTPWorker

@Suite("Idempotency memory (pure)")
struct IdempotencyStateTests {
    let t0 = ContinuousClock.now

    @Test("first claim owns; a second waits; after completion it replays the first outcome")
    func ownWaitReplay() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        guard case .owner = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected owner"); return }
        guard case .wait = state.claim("r1", now: t0, waiter: { 7 }) else { Issue.record("expected wait"); return }
        #expect(state.complete("r1", outcome: "sent", now: t0) == [7])
        guard case .replay(let first) = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected replay"); return }
        #expect(first == "sent")
    }

    @Test("a forgotten key (retryable failure) is owned anew")
    func forget() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("r1", now: t0, waiter: { 0 })
        _ = state.complete("r1", outcome: nil, now: t0)
        guard case .owner = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected owner"); return }
    }

    @Test("entries older than the retention are forgotten; in-flight ones never")
    func retention() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("done", now: t0, waiter: { 0 })
        _ = state.complete("done", outcome: "x", now: t0)
        _ = state.claim("running", now: t0, waiter: { 0 })
        guard case .owner = state.claim("done", now: t0 + .seconds(61), waiter: { 0 }) else { Issue.record("expected owner"); return }
        guard case .wait = state.claim("running", now: t0 + .seconds(61), waiter: { 1 }) else { Issue.record("expected wait"); return }
    }

    @Test("beyond the capacity the oldest finished entries go first")
    func capacity() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(600), maximumEntries: 3)
        for index in 0..<5 {
            _ = state.claim("r\(index)", now: t0, waiter: { 0 })
            _ = state.complete("r\(index)", outcome: "o\(index)", now: t0 + .seconds(index))
        }
        #expect(state.count == 3)
        guard case .owner = state.claim("r0", now: t0 + .seconds(5), waiter: { 0 }) else { Issue.record("r0 should be gone"); return }
        guard case .replay = state.claim("r4", now: t0 + .seconds(5), waiter: { 0 }) else { Issue.record("r4 should stay"); return }
    }

    @Test("a result completed after its partition went is never replayed; the next claim adopts it to publish")
    func staleCompletionIsAdoptedNotReplayed() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("r1", now: t0, waiter: { 0 })
        guard case .wait = state.claim("r1", now: t0, waiter: { 7 }) else { Issue.record("expected wait"); return }
        #expect(state.complete("r1", outcome: "stale", origin: 1, current: false, now: t0) == [7])
        #expect(state.finished("r1") == nil, "an unpublished result is not a finished one")
        guard case .adopt(let unpublished) = state.claim("r1", now: t0, waiter: { 0 }) else {
            Issue.record("the stale result must be handed over for publishing"); return
        }
        #expect(unpublished == "stale")
        // The adopter owns the key: others wait for it, and once it publishes it is the outcome.
        guard case .wait = state.claim("r1", now: t0, waiter: { 8 }) else { Issue.record("expected wait"); return }
        #expect(state.complete("r1", outcome: "stale", origin: 1, current: true, now: t0) == [8])
        guard case .replay(let first) = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected replay"); return }
        #expect(first == "stale")
        #expect(state.doneCount == 1)
        // Retryable failures remembered by position are not kept when stale.
        state.remember("record/1", outcome: "stale failure", origin: 1, current: false, now: t0)
        #expect(state.finished("record/1") == nil)
    }

    @Test("the topic's entry replaces an unpublished result; reassignment keeps unpublished ones; they age out")
    func unpublishedGivesWayToTheTopic() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        for key in ["answered elsewhere", "nobody answered"] {
            _ = state.claim(key, now: t0, waiter: { 0 })
            _ = state.complete(key, outcome: "mine, stale", origin: 1, current: false, now: t0)
        }
        state.forget(origins: [1])
        state.preload("answered elsewhere", outcome: "from the next owner", at: t0, now: t0)
        guard case .replay(let first) = state.claim("answered elsewhere", now: t0, waiter: { 0 }) else {
            Issue.record("the topic's entry must win"); return
        }
        #expect(first == "from the next owner")
        guard case .adopt = state.claim("nobody answered", now: t0, waiter: { 0 }) else {
            Issue.record("kept through forget(origins:)"); return
        }
        _ = state.complete("nobody answered", outcome: nil, now: t0)
        _ = state.claim("old", now: t0, waiter: { 0 })
        _ = state.complete("old", outcome: "stale", origin: 2, current: false, now: t0)
        guard case .owner = state.claim("old", now: t0 + .seconds(61), waiter: { 0 }) else {
            Issue.record("an unpublished result older than the retention must be gone"); return
        }
        #expect(state.doneCount == 0, "everything finished at t0 is past the retention")
    }

    @Test("an entry loaded while a stale call runs takes its place; a current call keeps its own outcome")
    func loadedEntryReplacesAStaleResult() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("stale", now: t0, waiter: { 0 })
        _ = state.claim("current", now: t0, waiter: { 0 })
        state.preload("stale", outcome: "from the next owner", at: t0, now: t0)
        state.preload("current", outcome: "from the topic", at: t0, now: t0)
        _ = state.complete("stale", outcome: "mine", origin: 1, current: false, now: t0)
        _ = state.complete("current", outcome: "mine", origin: 2, current: true, now: t0)
        #expect(state.finished("stale") == "from the next owner")
        #expect(state.finished("current") == "mine")
    }

    @Test("a partition assigned again forgets what this process decided for it, then loads the topic's entries")
    func reassignmentForgetsOwnOutcomes() {
        var state = IdempotencyState<String, Int, Int>(retention: .seconds(60), maximumEntries: 10)
        for (key, origin) in [("p1-a", 1), ("p1-b", 1), ("p2-a", 2)] {
            _ = state.claim(key, now: t0, waiter: { 0 })
            _ = state.complete(key, outcome: "mine", origin: origin, current: true, now: t0)
        }
        state.remember("record/p1/7", outcome: "mine", origin: 1, current: true, now: t0)
        state.preload("loaded", outcome: "from the topic", at: t0, now: t0)
        state.forget(origins: [1])
        #expect(state.finished("p1-a") == nil && state.finished("p1-b") == nil && state.finished("record/p1/7") == nil)
        #expect(state.finished("p2-a") == "mine", "other partitions are still owned")
        #expect(state.finished("loaded") == "from the topic", "the topic's entries are the truth")
        state.preload("p1-a", outcome: "from the next owner", at: t0, now: t0)
        #expect(state.finished("p1-a") == "from the next owner")
        #expect(state.doneCount == 3)
    }
}
