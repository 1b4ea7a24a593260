import OTPWorker
import Testing

/// The readiness conditions, without I/O.
@Suite struct ReadinessStateTests {
    @Test func noConditionsIsReady() {
        #expect(ReadinessState().readiness == .ready)
    }

    @Test func pendingConditionsStartNotReadyAndNameTheirReasons() {
        let state = ReadinessState(pending: [("group", "joining group"), ("provider", "no provider token")])
        #expect(state.readiness == .notReady("joining group; no provider token"))
        state.set("group", ready: true)
        #expect(state.readiness == .notReady("no provider token"))
        state.set("provider", ready: true)
        #expect(state.readiness == .ready)
    }

    @Test func aConditionCanFallBackToNotReady() {
        let state = ReadinessState(pending: [("provider", "no provider token")])
        state.set("provider", ready: true)
        state.set("provider", ready: false, reason: "provider unauthorized, consumption paused")
        #expect(state.readiness == .notReady("provider unauthorized, consumption paused"))
    }

    @Test func aMissingReasonFallsBackToTheName() {
        let state = ReadinessState()
        state.set("group", ready: false)
        #expect(state.readiness == .notReady("group"))
    }

    @Test func removedConditionsNoLongerCount() {
        let state = ReadinessState(pending: [("group", "joining group")])
        state.remove("group")
        #expect(state.readiness == .ready)
    }

    @Test func concurrentUpdatesLeaveAConsistentState() async {
        let state = ReadinessState()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    state.set("c\(index % 5)", ready: false, reason: "r")
                    _ = state.readiness
                    state.set("c\(index % 5)", ready: true)
                }
            }
        }
        #expect(state.readiness == .ready)
    }
}
