import Testing

@testable import MessageCentral

/// The pool's state machine alone: connections are numbers, waiters names, and time an
/// instant the test moves by hand.
@Suite("Provider connection pool state, without I/O")
struct ConnectionPoolStateTests {
    typealias State = ConnectionPoolState<Int, String>
    typealias Action = State.Action

    /// The injected clock: an arbitrary start, moved only by the test.
    struct TestClock {
        var now = ContinuousClock.now
        /// A request's deadline, well after every instant a test moves to unless it says so.
        var deadline: ContinuousClock.Instant { now + .seconds(600) }

        mutating func advance(by duration: Duration) { now += duration }
    }

    /// A state with `busy` connections, numbered from 1, handed to waiters `a`, `b`, ….
    func makeState(maximum: Int, busy: Int = 0, idleTimeout: Duration = .seconds(60), clock: TestClock) -> State {
        var state = State(maximumConnections: maximum, idleTimeout: idleTimeout)
        for number in stride(from: 1, through: busy, by: 1) {
            let waiter = String(Array("abcdefgh")[number - 1])
            #expect(state.request(waiter, deadline: clock.deadline, now: clock.now) == Action(waiter: .answer(waiter, .connect)))
            #expect(state.connectionEstablished(number, for: waiter) == Action(waiter: .answer(waiter, .connection(number, reused: false))))
        }
        return state
    }

    @Test("a request with no connections opens one, which becomes its waiter's")
    func firstRequestConnects() {
        let clock = TestClock()
        var state = makeState(maximum: 2, clock: clock)
        #expect(state.request("a", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("a", .connect)))
        #expect(state.connectionCount == 1, "the place is counted while the connection is opened")
        #expect(state.connectionEstablished(1, for: "a") == Action(waiter: .answer("a", .connection(1, reused: false))))
        #expect(state.connectionCount == 1)
    }

    @Test("up to the maximum, requests open connections; further ones wait until their deadline")
    func boundedThenQueued() {
        let clock = TestClock()
        var state = makeState(maximum: 2, clock: clock)
        #expect(state.request("a", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("a", .connect)))
        #expect(state.request("b", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("b", .connect)))
        let until = clock.deadline
        #expect(state.request("c", deadline: until, now: clock.now) == Action(waiter: .wait("c", deadline: until)))
        #expect(state.request("d", deadline: until, now: clock.now) == Action(waiter: .wait("d", deadline: until)))
        #expect(state.connectionCount == 2)
        #expect(state.queuedWaiters == ["c", "d"])
    }

    @Test("a released reusable connection goes to the oldest waiter")
    func releaseToOldestWaiter() {
        let clock = TestClock()
        var state = makeState(maximum: 1, busy: 1, clock: clock)
        _ = state.request("b", deadline: clock.deadline, now: clock.now)
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        let action = state.connectionReleased(1, reusable: true, now: clock.now)
        #expect(action == Action(waiter: .answer("b", .connection(1, reused: true))))
        #expect(state.queuedWaiters == ["c"])
        #expect(state.connectionCount == 1)
    }

    @Test("idle connections are reused last-in first-out")
    func lifoReuse() {
        var clock = TestClock()
        var state = makeState(maximum: 3, busy: 2, clock: clock)
        #expect(state.connectionReleased(1, reusable: true, now: clock.now) == Action(idleTimer: .schedule(at: clock.now + .seconds(60))))
        clock.advance(by: .seconds(1))
        #expect(state.connectionReleased(2, reusable: true, now: clock.now) == Action(), "the sweep is scheduled already")
        #expect(state.request("c", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("c", .connection(2, reused: true))))
        #expect(state.request("d", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("d", .connection(1, reused: true))))
        #expect(state.request("e", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("e", .connect)))
        #expect(state.connectionCount == 3)
    }

    @Test("a released connection that is not reusable is closed, and a waiter opens a new one in its place")
    func releaseNotReusable() {
        let clock = TestClock()
        var state = makeState(maximum: 1, busy: 1, clock: clock)
        _ = state.request("b", deadline: clock.deadline, now: clock.now)
        let action = state.connectionReleased(1, reusable: false, now: clock.now)
        #expect(action == Action(waiter: .answer("b", .connect), close: [1]))
        #expect(state.queuedWaiters.isEmpty)
        #expect(state.connectionCount == 1, "b's place")
        #expect(state.connectionReleased(5, reusable: false, now: clock.now) == Action(close: [5]), "unknown: closed, no place freed")
    }

    @Test("a failed connect is its opener's failure, not retried; its place goes to the oldest waiter")
    func connectFailed() {
        let clock = TestClock()
        var state = makeState(maximum: 1, clock: clock)
        _ = state.request("a", deadline: clock.deadline, now: clock.now)
        _ = state.request("b", deadline: clock.deadline, now: clock.now)
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        #expect(state.connectFailed() == Action(waiter: .answer("b", .connect)))
        #expect(state.queuedWaiters == ["c"])
        #expect(state.connectionCount == 1)
        #expect(state.connectFailed() == Action(waiter: .answer("c", .connect)))
        #expect(state.connectFailed() == Action(), "nobody left to give the place to")
        #expect(state.connectionCount == 0)
    }

    @Test("a waiter's deadline fails it with timedOut and takes it out of the queue")
    func waiterDeadline() {
        var clock = TestClock()
        var state = makeState(maximum: 1, busy: 1, clock: clock)
        let until = clock.deadline
        #expect(state.request("b", deadline: until, now: clock.now) == Action(waiter: .wait("b", deadline: until)))
        clock.now = until
        #expect(state.timerFired(.deadline("b"), now: clock.now) == Action(waiter: .answer("b", .failed(.timedOut))))
        #expect(state.queuedWaiters.isEmpty)
        #expect(state.timerFired(.deadline("b"), now: clock.now) == Action(), "answered once")
        let release = state.connectionReleased(1, reusable: true, now: clock.now)
        #expect(release.waiter == .none, "the connection goes idle, not to the timed-out waiter")
    }

    @Test("a cancelled waiter fails with cancelled and leaves the queue; the next one is served")
    func cancellation() {
        let clock = TestClock()
        var state = makeState(maximum: 1, busy: 1, clock: clock)
        _ = state.request("b", deadline: clock.deadline, now: clock.now)
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        #expect(state.waiterCancelled("b") == Action(waiter: .answer("b", .failed(.cancelled))))
        #expect(state.waiterCancelled("b") == Action(), "answered once")
        #expect(state.queuedWaiters == ["c"])
        let release = state.connectionReleased(1, reusable: true, now: clock.now)
        #expect(release == Action(waiter: .answer("c", .connection(1, reused: true))))
    }

    @Test("the idle sweep closes an idle connection once the clock passes its idle timeout, not before")
    func idleTimeout() {
        var clock = TestClock()
        var state = makeState(maximum: 2, busy: 1, idleTimeout: .seconds(60), clock: clock)
        let due = clock.now + .seconds(60)
        #expect(state.connectionReleased(1, reusable: true, now: clock.now) == Action(idleTimer: .schedule(at: due)))
        clock.advance(by: .milliseconds(59_999))
        #expect(state.timerFired(.idleSweep, now: clock.now) == Action(idleTimer: .schedule(at: due)), "early: kept, swept again")
        #expect(state.connectionCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(state.timerFired(.idleSweep, now: clock.now) == Action(close: [1]))
        #expect(state.connectionCount == 0)
        #expect(state.idleSweepDeadline == nil, "nothing idle, nothing scheduled")
    }

    @Test("a request skips idle connections past their timeout, closes them and opens a new one")
    func requestSkipsAged() {
        var clock = TestClock()
        var state = makeState(maximum: 2, busy: 2, idleTimeout: .seconds(60), clock: clock)
        _ = state.connectionReleased(1, reusable: true, now: clock.now)
        _ = state.connectionReleased(2, reusable: true, now: clock.now)
        clock.advance(by: .seconds(60))
        let action = state.request("c", deadline: clock.deadline, now: clock.now)
        #expect(action == Action(waiter: .answer("c", .connect), close: [2, 1]))
        #expect(state.connectionCount == 1)
    }

    @Test("the bottom idle connection ages out while the top one keeps being reused")
    func bottomAgesOut() {
        var clock = TestClock()
        var state = makeState(maximum: 2, busy: 2, idleTimeout: .seconds(2), clock: clock)
        let start = clock.now
        _ = state.connectionReleased(1, reusable: true, now: clock.now)
        _ = state.connectionReleased(2, reusable: true, now: clock.now)
        clock.advance(by: .milliseconds(1300))
        #expect(state.request("c", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("c", .connection(2, reused: true))))
        #expect(state.connectionReleased(2, reusable: true, now: clock.now) == Action())
        let reuse = clock.now
        clock.now = start + .seconds(2)
        #expect(state.timerFired(.idleSweep, now: clock.now) == Action(close: [1], idleTimer: .schedule(at: reuse + .seconds(2))))
        #expect(state.connectionCount == 1)
        clock.advance(by: .milliseconds(600))
        #expect(state.request("d", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("d", .connection(2, reused: true))))
    }

    @Test("a release closes the idle connections past their timeout at the bottom of the stack")
    func releaseSweepsBottom() {
        var clock = TestClock()
        var state = makeState(maximum: 2, busy: 2, idleTimeout: .seconds(60), clock: clock)
        _ = state.connectionReleased(1, reusable: true, now: clock.now)
        _ = state.connectionReleased(2, reusable: true, now: clock.now)
        clock.advance(by: .seconds(30))
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        clock.advance(by: .seconds(31))
        #expect(state.connectionReleased(2, reusable: true, now: clock.now) == Action(close: [1]))
        #expect(state.connectionCount == 1)
    }

    @Test("an idle connection the provider closed leaves the pool and frees its place; a busy one waits for its release")
    func closedByProvider() {
        let clock = TestClock()
        var state = makeState(maximum: 2, busy: 2, clock: clock)
        _ = state.connectionReleased(1, reusable: true, now: clock.now)
        #expect(state.connectionClosed(1) == Action())
        #expect(state.connectionCount == 1)
        #expect(state.connectionClosed(2) == Action(), "busy: its caller sees the failure and releases it")
        #expect(state.connectionCount == 1)
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        _ = state.request("d", deadline: clock.deadline, now: clock.now)
        #expect(state.connectionReleased(2, reusable: false, now: clock.now) == Action(waiter: .answer("d", .connect), close: [2]))
    }

    @Test("shutdown fails every waiter and closes every connection; later requests fail with shutDown")
    func shutdown() {
        let clock = TestClock()
        var state = makeState(maximum: 3, busy: 2, clock: clock)
        _ = state.request("c", deadline: clock.deadline, now: clock.now)
        _ = state.request("d", deadline: clock.deadline, now: clock.now)
        _ = state.request("e", deadline: clock.deadline, now: clock.now)
        let action = state.shutdown()
        #expect(action.waiter == .failAll(["d", "e"], .shutDown))
        #expect(Set(action.close) == [1, 2])
        #expect(action.idleTimer == .none)
        #expect(state.request("f", deadline: clock.deadline, now: clock.now) == Action(waiter: .answer("f", .failed(.shutDown))))
        #expect(state.connectionEstablished(3, for: "c") == Action(waiter: .answer("c", .failed(.shutDown)), close: [3]))
        #expect(state.connectionReleased(1, reusable: true, now: clock.now) == Action(close: [1]))
        #expect(state.connectionReleased(2, reusable: false, now: clock.now) == Action(close: [2]))
        #expect(state.connectionCount == 0)
    }

    @Test("shutdown closes idle connections and cancels the idle sweep")
    func shutdownIdle() {
        let clock = TestClock()
        var state = makeState(maximum: 2, busy: 2, clock: clock)
        _ = state.connectionReleased(1, reusable: true, now: clock.now)
        let action = state.shutdown()
        #expect(Set(action.close) == [1, 2])
        #expect(action.idleTimer == .cancel)
        #expect(action.waiter == .none)
        #expect(state.timerFired(.idleSweep, now: clock.now + .seconds(60)) == Action())
    }
}
