import Kafka
import Testing

@Suite("Offset tracker")
struct OffsetTrackerTests {
    @Test func committableIsNilUntilSomethingIsDelivered() {
        let tracker = OffsetTracker()
        #expect(tracker.committable == nil)
    }

    @Test func neverPassesAnUnfinishedRecord() {
        var tracker = OffsetTracker()
        for offset in Int64(10)...14 { tracker.delivered(offset) }
        #expect(tracker.committable == 10)
        tracker.markDone(12)
        tracker.markDone(13)
        #expect(tracker.committable == 10)
        tracker.markDone(10)
        #expect(tracker.committable == 11)
        tracker.markDone(11)
        #expect(tracker.committable == 14)
        tracker.markDone(14)
        #expect(tracker.committable == 15)
        #expect(tracker.inFlight == 0)
    }

    @Test func gapsInOffsetsDoNotBlock() {
        var tracker = OffsetTracker()
        tracker.delivered(5)
        tracker.delivered(7)  // 6 is a control record the application never sees
        tracker.markDone(5)
        #expect(tracker.committable == 7)
        tracker.markDone(7)
        #expect(tracker.committable == 8)
    }

    @Test func unknownAndRepeatedOffsetsAreRejected() {
        var tracker = OffsetTracker()
        tracker.delivered(1)
        tracker.delivered(2)
        let beforeFirst = tracker.markDone(0)
        let afterLast = tracker.markDone(3)
        let first = tracker.markDone(2)
        let again = tracker.markDone(2)
        #expect(!beforeFirst)
        #expect(!afterLast)
        #expect(first)
        #expect(!again)
        #expect(tracker.inFlight == 1)
    }

    @Test func uncommittedReportsOnlyMovement() {
        var tracker = OffsetTracker()
        tracker.delivered(0)
        tracker.markDone(0)
        #expect(tracker.uncommitted == 1)
        tracker.lastCommitted = 1
        #expect(tracker.uncommitted == nil)
        tracker.delivered(1)
        #expect(tracker.uncommitted == nil)
        tracker.markDone(1)
        #expect(tracker.uncommitted == 2)
    }

    @Test func manyRecordsOutOfOrder() {
        var tracker = OffsetTracker()
        let count: Int64 = 20_000
        for offset in 0..<count { tracker.delivered(offset) }
        for offset in stride(from: count - 1, through: 1, by: -1) { tracker.markDone(offset) }
        #expect(tracker.committable == 0)
        tracker.markDone(0)
        #expect(tracker.committable == count)
    }
}
