import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The seven topics of one run, named with a prefix so that runs do not see each other's records.
struct RunTopics: Sendable {
    let requested, submitted, sent, verified, failed, deadLetter, idempotency: String

    init(prefix: String) {
        requested = prefix + ".otp.requested"
        submitted = prefix + ".otp.submitted"
        sent = prefix + ".otp.sent"
        verified = prefix + ".otp.verified"
        failed = prefix + ".otp.failed"
        deadLetter = prefix + ".otp.dlq"
        idempotency = prefix + ".otp.idempotency"
    }

    var outputs: [String] { [sent, verified, failed, deadLetter] }
    var all: [String] { [requested, submitted] + outputs + [idempotency] }
}

/// One row of the table.
struct RunResult: Sendable {
    var name: String
    var requests: Int
    /// Requests over (last outcome's arrival − first request's produce); 0 when incomplete.
    var throughput: Double
    /// Sorted end-to-end latencies, nanoseconds.
    var latencies: [UInt64]
    /// Worker CPU time per measured request (child process, /proc/PID/stat), when a worker ran.
    var cpuPerRequest: Duration?
    /// Worker CPU time over the measured window / the window: cores busy.
    var workerCores: Double?
    /// Worker threads' context switches over the measured window, per measured request.
    var contextSwitchesPerRequest: Double?
    /// Worker CPU while idle after warm-up, cores.
    var workerIdleCores: Double?
    /// VmHWM of the worker process at the end of the measured window, kB.
    var peakResidentKilobytes: Int?
    /// VmRSS of the worker after warm-up, before the measured requests, kB.
    var warmResidentKilobytes: Int?
    /// ru_maxrss from wait4 after the worker exited, kB (same quantity, cross-check).
    var exitMaxResidentKilobytes: Int?
    /// This process (cluster, sandbox, producer, observer) over the window, cores.
    var benchCores: Double
    /// The input producer's rate, requests/s.
    var produceRate: Double
    var complete: Bool
    var notes: [String] = []

    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        let rank = Int((fraction * Double(latencies.count)).rounded(.up)) - 1
        return Double(latencies[min(max(rank, 0), latencies.count - 1)]) / 1e6
    }
    var maxMilliseconds: Double { latencies.last.map { Double($0) / 1e6 } ?? .nan }
}

/// CPU time of this whole process so far.
func selfCPU() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.cpu
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microsecondsValue: Double { seconds * 1e6 }
}

/// The bench's own Kafka clients log warnings and worse only.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// The p99 of each fifth of a run's latencies in arrival order, in ms. A figure that climbs
/// from fifth to fifth is the run slowing down as it goes, not a steady tail: the embedded
/// cluster walks each partition's whole list of message sets for every fetch, so its CPU
/// grows with the records written during the run.
func p99ByFifth(_ latenciesInArrivalOrder: [UInt64]) -> String {
    let count = latenciesInArrivalOrder.count
    guard count >= 5 else { return "-" }
    return (0..<5).map { fifth in
        let slice = latenciesInArrivalOrder[(fifth * count / 5)..<((fifth + 1) * count / 5)].sorted()
        let rank = Int((0.99 * Double(slice.count)).rounded(.up)) - 1
        return format(Double(slice[min(max(rank, 0), slice.count - 1)]) / 1e6, 1)
    }.joined(separator: ", ")
}
