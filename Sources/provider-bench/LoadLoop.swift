import Synchronization

/// Runs `total` calls with `concurrency` callers and reports what they took.
///
/// Each caller takes the next call number from a shared counter until all are
/// taken, so the phase ends after a fixed number of calls whatever the speed.
struct LoadLoop: Sendable {
    var concurrency: Int
    var total: Int

    /// Runs the phase.
    ///
    /// - Parameter call: One call, given its number; returns whether it succeeded.
    func run(_ call: @escaping @Sendable (Int) async -> Bool) async -> PhaseResult {
        let next = CallCounter()
        let total = self.total
        let started = ContinuousClock.now
        let perCaller = await withTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<self.concurrency {
                group.addTask {
                    var latencies: [Duration] = []
                    var failures = 0
                    while true {
                        let number = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard number < total else { break }
                        let callStarted = ContinuousClock.now
                        let succeeded = await call(number)
                        latencies.append(.now - callStarted)
                        if !succeeded { failures += 1 }
                    }
                    return (latencies, failures)
                }
            }
            var all: [([Duration], Int)] = []
            for await result in group { all.append(result) }
            return all
        }
        let elapsed = ContinuousClock.now - started
        return PhaseResult(
            latencies: perCaller.flatMap(\.0).sorted(),
            failures: perCaller.map(\.1).reduce(0, +),
            elapsed: elapsed
        )
    }
}

/// The next call number, shared by every caller of a phase.
final class CallCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// What one phase measured.
struct PhaseResult {
    /// Every call's latency, sorted.
    var latencies: [Duration]
    var failures: Int
    var elapsed: Duration

    var callsPerSecond: Double {
        Double(self.latencies.count) / self.elapsed.seconds
    }

    /// The latency below which `fraction` of the calls fell (nearest rank).
    func percentile(_ fraction: Double) -> Duration {
        guard !self.latencies.isEmpty else { return .zero }
        let rank = Int((fraction * Double(self.latencies.count)).rounded(.up)) - 1
        return self.latencies[min(max(rank, 0), self.latencies.count - 1)]
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Milliseconds with one decimal, for the table.
    var millisecondsText: String {
        let tenths = (self.seconds * 10_000).rounded() / 10
        return String(tenths)
    }
}
