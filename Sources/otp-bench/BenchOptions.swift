import Foundation

/// Command-line settings of `otp-bench`.
///
///     otp-bench [--requests N] [--in-flight N] [--latency-ms N] [--paced-rate N]
///               [--partitions N] [--warmup N] [--worker PATH] [--scenarios LIST] [--repeat N]
struct BenchOptions: Sendable {
    /// Requests per scenario (and per baseline).
    var requests = 20_000
    /// The worker's `--max-in-flight`, and the provider ceiling's concurrency.
    var inFlight = 256
    /// Sandbox latency of scenarios 1 and 3 and of the provider ceiling.
    var latencyMilliseconds = 50
    /// Input rate of scenario 3.
    var pacedRate = 1_000
    /// Partitions of every topic.
    var partitions = 6
    /// Requests each worker handles before measuring (group join, token, connection pool).
    var warmup = 512
    /// The `otp-worker` executable; by default the one next to this executable.
    var workerPath: String
    /// Which parts to run: p (pass-through), c (provider ceiling), 1, 2, 3; and, not in the
    /// default set, t (scenarios 2 and 3 with traces off and on, alternating) and g (the same
    /// with the fraud guard off and at its defaults).
    var parts: Set<Character> = ["p", "c", "1", "2", "3"]
    /// Runs of each worker scenario; the report shows the median run.
    var repeats = 1

    init(arguments: [String]) throws {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        workerPath = own.deletingLastPathComponent().appendingPathComponent("otp-worker").path
        var rest = arguments.dropFirst()[...]
        func next(_ flag: String) throws -> String {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            return value
        }
        func integer(_ flag: String, _ range: ClosedRange<Int>) throws -> Int {
            let text = try next(flag)
            guard let value = Int(text), range.contains(value) else {
                throw BenchError("\(flag): '\(text)' must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--requests": requests = try integer(flag, 1...9_000_000)
            case "--in-flight": inFlight = try integer(flag, 1...10_000)
            case "--latency-ms": latencyMilliseconds = try integer(flag, 0...10_000)
            case "--paced-rate": pacedRate = try integer(flag, 1...1_000_000)
            case "--partitions": partitions = try integer(flag, 1...64)
            case "--warmup": warmup = try integer(flag, 1...100_000)
            case "--worker": workerPath = try next(flag)
            case "--scenarios": parts = Set(try next(flag).filter { $0 != "," })
            case "--repeat":
                repeats = try integer(flag, 1...9)
                // An odd count has one middle run: with two, which is the median depends on
                // whether the figure is better high (req/s) or low (µs, ms).
                guard repeats % 2 == 1 else { throw BenchError("--repeat: '\(repeats)' must be odd (1, 3, 5, 7 or 9)") }
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default: throw BenchError("unknown argument '\(flag)'\n\(Self.usage)")
            }
        }
    }

    /// Slots over latency: the most requests/s the in-flight bound allows.
    var slotCeiling: Double { Double(inFlight) / (Double(max(latencyMilliseconds, 1)) / 1000) }

    static let usage = """
        usage: otp-bench [--requests N (20000)] [--in-flight N (256)] [--latency-ms N (50)]
                         [--paced-rate N (1000)] [--partitions N (6)] [--warmup N (512)]
                         [--worker PATH (otp-worker next to otp-bench)] [--scenarios pc123; t: traces off vs on; g: guard off vs on]
                         [--repeat N (1): odd; runs of each worker scenario, the median shown]
        """
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
