import Testing

@testable import FraudGuard

@Suite("A sliding window's count and its wait")
struct SlidingWindowCounterTests {
    @Test("the limit's sends are admitted; the next waits until the oldest leaves the window")
    func limitAndWait() {
        var counter = SlidingWindowCounter<UInt64>(limit: 3, window: 100)
        for time: UInt32 in [10, 20, 30] {
            #expect(counter.wait(7, now: time) == nil)
            counter.record(7, at: time)
        }
        #expect(counter.wait(7, now: 31) == 79, "the oldest (10) leaves at 110")
        #expect(counter.wait(7, now: 109) == 1)
        #expect(counter.wait(7, now: 110) == nil)
        #expect(counter.wait(8, now: 31) == nil, "another key is counted apart")
        counter.record(7, at: 110)
        #expect(counter.wait(7, now: 111) == 9, "now the oldest of the three latest is 20")
        #expect(counter.count(7, now: 111) == 3)
    }

    @Test("a late time from another worker goes in its place; one older than all kept changes nothing")
    func outOfOrder() {
        var counter = SlidingWindowCounter<UInt64>(limit: 3, window: 100)
        counter.record(1, at: 50)
        counter.record(1, at: 30)
        counter.record(1, at: 40)
        #expect(counter.wait(1, now: 60) == 70, "the three are 30, 40, 50")
        counter.record(1, at: 45)
        #expect(counter.wait(1, now: 60) == 80, "30 went; 40, 45, 50 are kept")
        counter.record(1, at: 5)
        #expect(counter.wait(1, now: 60) == 80)
    }

    @Test("a send taken back frees its place; pruning forgets keys that left the window")
    func removeAndPrune() {
        var counter = SlidingWindowCounter<UInt64>(limit: 2, window: 100)
        counter.record(1, at: 10)
        counter.record(1, at: 20)
        #expect(counter.wait(1, now: 30) != nil)
        counter.remove(1, at: 20)
        #expect(counter.wait(1, now: 30) == nil)
        counter.record(2, at: 90)
        counter.prune(now: 115)
        #expect(counter.keyCount == 1, "key 1's newest (10) left at 110; key 2 stays")
        counter.record(3, at: 120)
        #expect(counter.keyCount == 2, "the freed slot is reused")
        #expect(counter.count(3, now: 120) == 1)
    }
}
