import Testing

@testable import MessageCentral

/// A deterministic generator (SplitMix64) so that jitter is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Retry schedule", .timeLimit(.minutes(1)))
struct RetryPolicyTests {
    @Test("ceilings double from base and stop at max")
    func ceilings() {
        let policy = RetryPolicy.exponentialJitter(base: .milliseconds(100), max: .seconds(1))
        let ceilings = (1...7).map { policy.ceiling(afterAttempt: $0) }
        #expect(ceilings == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
            .seconds(1), .seconds(1), .seconds(1),
        ])
    }

    @Test("full jitter stays within 0...ceiling and actually varies")
    func jitterBounds() {
        let policy = RetryPolicy.exponentialJitter(base: .milliseconds(50), max: .seconds(2))
        var generator = SeededGenerator(state: 42)
        for attempt in 1...20 {
            let ceiling = policy.ceiling(afterAttempt: attempt)!
            var seen = Set<Duration>()
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, using: &generator)!
                #expect(delay >= .zero && delay <= ceiling)
                seen.insert(delay)
            }
            #expect(seen.count > 100, "jitter must spread delays (attempt \(attempt))")
        }
    }

    @Test("the mean delay is about half the ceiling (full jitter, not equal jitter)")
    func jitterMean() {
        let policy = RetryPolicy.exponentialJitter(base: .seconds(1), max: .seconds(1))
        var generator = SeededGenerator(state: 7)
        let total = (0..<10_000).reduce(Duration.zero) { sum, _ in sum + policy.delay(afterAttempt: 1, using: &generator)! }
        let mean = total / 10_000
        #expect(mean > .milliseconds(450) && mean < .milliseconds(550))
    }

    @Test("huge attempt numbers do not overflow")
    func noOverflow() {
        let policy = RetryPolicy.exponentialJitter(base: .milliseconds(50), max: .seconds(2))
        #expect(policy.ceiling(afterAttempt: 1_000_000) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: Int.max) == .seconds(2))
    }

    @Test("maxAttempts counts the first attempt; .none never retries")
    func stopping() {
        var generator = SeededGenerator(state: 1)
        let three = RetryPolicy.exponentialJitter(maxAttempts: 3)
        #expect(three.delay(afterAttempt: 1, using: &generator) != nil)
        #expect(three.delay(afterAttempt: 2, using: &generator) != nil)
        #expect(three.delay(afterAttempt: 3, using: &generator) == nil)
        #expect(RetryPolicy.none.delay(afterAttempt: 1, using: &generator) == nil)
        #expect(RetryPolicy.exponentialJitter(maxAttempts: 1).delay(afterAttempt: 1, using: &generator) == nil)
    }
}
