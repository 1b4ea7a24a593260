import Kafka
import Testing

@testable import OTPWorker

@Suite("Key-ordered lanes (pure)")
struct LaneStateTests {
    let p0 = KafkaTopicPartition(topic: "otp.requested", partition: 0)
    let p1 = KafkaTopicPartition(topic: "otp.requested", partition: 1)

    func lane(_ key: String?, _ partition: KafkaTopicPartition) -> WorkLane {
        WorkLane(partition: partition, key: key.map { Array($0.utf8) })
    }

    @Test("same key queues behind the running record; other keys start at once")
    func ordering() {
        var state = LaneState<Int>(capacity: 10)
        state.assign([p0])
        #expect(state.admit(1, lane: lane("a", p0)).0 == .start)
        #expect(state.admit(2, lane: lane("a", p0)).0 == .queued)
        #expect(state.admit(3, lane: lane("b", p0)).0 == .start)
        #expect(state.admit(4, lane: lane(nil, p0)).0 == .start)
        #expect(state.admit(5, lane: lane(nil, p0)).0 == .queued)
        #expect(state.admitted == 5)
        let generation = state.generation(of: p0)!
        #expect(state.finish(lane: lane("a", p0), generation: generation)?.item == 2)
        #expect(state.finish(lane: lane("a", p0), generation: generation) == nil)
        #expect(state.runningLanes == 2)
        #expect(state.admitted == 3)
    }

    @Test("capacity counts queued records too")
    func capacity() {
        var state = LaneState<Int>(capacity: 2)
        state.assign([p0])
        _ = state.admit(1, lane: lane("a", p0))
        #expect(state.hasRoom)
        _ = state.admit(2, lane: lane("a", p0))
        #expect(!state.hasRoom)
        _ = state.finish(lane: lane("a", p0), generation: state.generation(of: p0)!)
        #expect(state.hasRoom)
    }

    @Test("a decided record gives its place to the next; decided records are bounded too")
    func decidedRecordsFreeTheirPlace() {
        var state = LaneState<Int>(capacity: 2, decidedCapacity: 2)
        state.assign([p0])
        let generation = state.generation(of: p0)!
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.admit(2, lane: lane("b", p0))
        #expect(!state.hasRoom, "two undecided records fill a capacity of 2")
        state.decided(lane: lane("a", p0))
        #expect(state.hasRoom, "record 1 waits for the brokers only")
        _ = state.admit(3, lane: lane("c", p0))
        #expect(!state.hasRoom)
        state.decided(lane: lane("b", p0))
        state.decided(lane: lane("c", p0))
        #expect(state.undecided == 0 && state.admitted == 3)
        _ = state.admit(4, lane: lane("d", p0))
        #expect(!state.hasRoom, "4 admitted fill 2 + 2 places, though only 1 is undecided")
        #expect(state.undecided == 1)
        _ = state.finish(lane: lane("a", p0), generation: generation)
        #expect(state.hasRoom)
        #expect(state.undecided == 1 && state.admitted == 3)
    }

    @Test("in all, capacity plus half as many again are admitted unless told otherwise")
    func defaultDecidedCapacity() {
        var state = LaneState<Int>(capacity: 4)
        #expect(state.decidedCapacity == 2)
        state.assign([p0])
        for key in ["a", "b", "c"] {
            _ = state.admit(0, lane: lane(key, p0))
            state.decided(lane: lane(key, p0))
        }
        #expect(state.undecided == 0 && state.admitted == 3)
        _ = state.admit(0, lane: lane("d", p0))
        _ = state.admit(0, lane: lane("e", p0))
        #expect(state.admitted == 5 && state.hasRoom, "2 undecided of 4, 5 admitted of 6")
        _ = state.admit(0, lane: lane("f", p0))
        #expect(!state.hasRoom, "6 admitted fill 4 + 2 places, though only 3 are undecided")
        #expect(LaneState<Int>(capacity: 1).decidedCapacity == 1)
    }

    @Test("the next record of a lane starts undecided; an abandoned record frees its undecided place; marking twice counts once")
    func decidedBookkeeping() {
        var state = LaneState<Int>(capacity: 4)
        state.assign([p0])
        let generation = state.generation(of: p0)!
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.admit(2, lane: lane("a", p0))
        state.decided(lane: lane("a", p0))
        state.decided(lane: lane("a", p0))
        #expect(state.undecided == 1, "record 2 is queued, undecided")
        #expect(state.finish(lane: lane("a", p0), generation: generation)?.item == 2)
        #expect(state.undecided == 1 && state.admitted == 1)
        // Record 2 is abandoned before its decision: finishing it frees its undecided place.
        #expect(state.finish(lane: lane("a", p0), generation: generation) == nil)
        #expect(state.undecided == 0 && state.admitted == 0)
        state.decided(lane: lane("a", p0))
        #expect(state.undecided == 0, "a lane with nothing running has nothing to mark")
    }

    @Test("revoking and stopping while a decided record has records queued behind it bring every count back to zero")
    func revocationBehindADecidedRecord() {
        var state = LaneState<Int>(capacity: 4)
        state.assign([p0, p1])
        let g0 = state.generation(of: p0)!
        let g1 = state.generation(of: p1)!
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.admit(2, lane: lane("a", p0))
        _ = state.admit(3, lane: lane("a", p0))
        _ = state.admit(4, lane: lane("b", p1))
        _ = state.admit(5, lane: lane("b", p1))
        state.decided(lane: lane("a", p0))
        state.decided(lane: lane("b", p1))
        #expect(state.undecided == 3 && state.admitted == 5)
        #expect(state.beginRevocation([p0]).sorted() == [2, 3])
        #expect(state.undecided == 1 && state.admitted == 3)
        state.finishRevocation([p0])
        #expect(state.finish(lane: lane("a", p0), generation: g0) == nil, "the stale record finishes; nothing queued is left")
        #expect(state.stop() == [5])
        #expect(state.finish(lane: lane("b", p1), generation: g1) == nil)
        #expect(state.undecided == 0 && state.admitted == 0)
        #expect(state.admitted(in: p1) == 0)
    }

    @Test("revocation drops queued records of that partition only, and makes its running work stale")
    func revocation() {
        var state = LaneState<Int>(capacity: 10)
        state.assign([p0, p1])
        let g0 = state.generation(of: p0)!
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.admit(2, lane: lane("a", p0))
        _ = state.admit(3, lane: lane("a", p1))
        _ = state.admit(4, lane: lane("a", p1))
        let dropped = state.beginRevocation([p0])
        #expect(dropped == [2])
        #expect(state.admitted(in: p0) == 1)
        #expect(state.isCurrent(p0, generation: g0), "running work may still publish while revoking")
        #expect(!state.mayStart(p0, generation: g0), "but may not start provider calls")
        #expect(state.admit(5, lane: lane("b", p0)).0 == .refused)
        state.finishRevocation([p0])
        #expect(!state.isCurrent(p0, generation: g0))
        #expect(state.finish(lane: lane("a", p0), generation: g0) == nil)
        #expect(state.admitted == 2)
        #expect(state.admitted(in: p1) == 2)
    }

    @Test("a partition assigned again gets a new generation; old work finishing does not disturb its counts")
    func reassignment() {
        var state = LaneState<Int>(capacity: 10)
        state.assign([p0])
        let old = state.generation(of: p0)!
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.beginRevocation([p0])
        state.finishRevocation([p0])
        state.assign([p0])
        let new = state.generation(of: p0)!
        #expect(new != old)
        #expect(state.admit(2, lane: lane("a", p0)).0 == .queued, "the old record of the lane still runs; order holds")
        let next = state.finish(lane: lane("a", p0), generation: old)
        #expect(next?.item == 2)
        #expect(next?.generation == new)
        #expect(state.admitted(in: p0) == 1)
    }

    @Test("stop drops every queued record and refuses new ones")
    func stop() {
        var state = LaneState<Int>(capacity: 10)
        state.assign([p0])
        _ = state.admit(1, lane: lane("a", p0))
        _ = state.admit(2, lane: lane("a", p0))
        #expect(state.stop() == [2])
        #expect(state.admit(3, lane: lane("c", p0)).0 == .refused)
        #expect(state.admitted == 1)
    }
}
