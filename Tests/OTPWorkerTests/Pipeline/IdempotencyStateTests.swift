import Testing

@testable import OTPWorker

@Suite("Idempotency memory (pure)")
struct IdempotencyStateTests {
    let t0 = ContinuousClock.now

    @Test("first claim owns; a second waits; after completion it replays the first outcome")
    func ownWaitReplay() {
        var state = IdempotencyState<String, Int>(retention: .seconds(60), maximumEntries: 10)
        guard case .owner = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected owner"); return }
        guard case .wait = state.claim("r1", now: t0, waiter: { 7 }) else { Issue.record("expected wait"); return }
        #expect(state.complete("r1", outcome: "sent", now: t0) == [7])
        guard case .replay(let first) = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected replay"); return }
        #expect(first == "sent")
    }

    @Test("a forgotten key (retryable failure) is owned anew")
    func forget() {
        var state = IdempotencyState<String, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("r1", now: t0, waiter: { 0 })
        _ = state.complete("r1", outcome: nil, now: t0)
        guard case .owner = state.claim("r1", now: t0, waiter: { 0 }) else { Issue.record("expected owner"); return }
    }

    @Test("entries older than the retention are forgotten; in-flight ones never")
    func retention() {
        var state = IdempotencyState<String, Int>(retention: .seconds(60), maximumEntries: 10)
        _ = state.claim("done", now: t0, waiter: { 0 })
        _ = state.complete("done", outcome: "x", now: t0)
        _ = state.claim("running", now: t0, waiter: { 0 })
        guard case .owner = state.claim("done", now: t0 + .seconds(61), waiter: { 0 }) else { Issue.record("expected owner"); return }
        guard case .wait = state.claim("running", now: t0 + .seconds(61), waiter: { 1 }) else { Issue.record("expected wait"); return }
    }

    @Test("beyond the capacity the oldest finished entries go first")
    func capacity() {
        var state = IdempotencyState<String, Int>(retention: .seconds(600), maximumEntries: 3)
        for index in 0..<5 {
            _ = state.claim("r\(index)", now: t0, waiter: { 0 })
            _ = state.complete("r\(index)", outcome: "o\(index)", now: t0 + .seconds(index))
        }
        #expect(state.count == 3)
        guard case .owner = state.claim("r0", now: t0 + .seconds(5), waiter: { 0 }) else { Issue.record("r0 should be gone"); return }
        guard case .replay = state.claim("r4", now: t0 + .seconds(5), waiter: { 0 }) else { Issue.record("r4 should stay"); return }
    }
}
