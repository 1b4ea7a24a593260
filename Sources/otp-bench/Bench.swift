import Foundation
import Kafka
import KafkaEmbedded
import MessageCentralSandbox

/// Runs the selected baselines and scenarios in order, sharing one cluster and one sandbox.
func runBench(options: BenchOptions, logDirectory: String) async throws -> Report {
    let latency = Duration.milliseconds(options.latencyMilliseconds)
    let cluster = try EmbeddedKafkaCluster(brokers: 3)
    // Codes valid for an hour: no code expires unverified during a run, so the fraud guard's
    // conversion rule (on by default) judges nothing and every request is sent.
    let sandboxConfiguration = SandboxConfiguration(port: 0, otpTimeout: .seconds(3600))
    var report = Report(options: options)
    try await withSandbox(sandboxConfiguration) { sandbox in
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1)), logger: quietLogger("otp-bench.inputs"))
        let environment = BenchEnvironment(
            cluster: cluster, sandbox: sandbox, sandboxConfiguration: sandboxConfiguration, producer: producer,
            options: options, logDirectory: logDirectory)
        func step(_ part: Character, _ title: String, _ body: () async throws -> RunResult) async throws -> RunResult? {
            guard options.parts.contains(part) else { return nil }
            let started = ContinuousClock.now
            print("… \(title)", terminator: "")
            fflush(nil)
            let result = try await body()
            print(String(format: " %.1f s: %.0f req/s, p99 %.1f ms", (ContinuousClock.now - started).seconds, result.throughput, result.percentile(0.99)))
            fflush(nil)  // nil flushes every stream; stdout is a pipe when piped
            return result
        }
        sandbox.setLatency(nil)
        report.passThrough = try await step("p", "(a) Kafka pass-through, burst") { try await runPassThrough(in: environment) }
        report.passThroughPaced = try await step("p", "(a) Kafka pass-through, paced") {
            try await runPassThrough(rate: options.pacedRate, in: environment)
        }
        report.provider = try await step("c", "(b) provider direct at \(options.latencyMilliseconds) ms") {
            try await runProviderCeiling(latency: latency, in: environment)
        }
        report.providerPaced = try await step("c", "(b) provider direct at \(options.latencyMilliseconds) ms, paced") {
            try await runProviderCeiling(latency: latency, rate: options.pacedRate, in: environment)
        }
        // A worker scenario's figures move between identical runs on a shared machine:
        // with --repeat, each runs that many times and the median run (by the figure the
        // scenario is judged on) stands for it.
        func worker(
            _ part: Character, _ title: String, _ name: String, number: Int, latency: Duration?, rate: Int?,
            judgedBy figure: (label: String, value: (RunResult) -> Double)
        ) async throws -> RunResult? {
            var runs: [RunResult] = []
            for run in 1...options.repeats {
                let suffix = options.repeats > 1 ? " (run \(run) of \(options.repeats))" : ""
                guard let result = try await step(part, title + suffix, {
                    try await runWorkerScenario(name, number: number, run: run, latency: latency, rate: rate, in: environment)
                }) else { return nil }
                runs.append(result)
                if let peak = result.peakResidentKilobytes {
                    report.workerPeakKilobytes = max(report.workerPeakKilobytes ?? 0, peak)
                }
            }
            return medianRun(runs, judgedBy: figure)
        }
        report.saturated = try await worker(
            "1", "(1) worker, \(options.latencyMilliseconds) ms", "(1) worker \(options.inFlight)/\(options.latencyMilliseconds) ms burst",
            number: 1, latency: latency, rate: nil, judgedBy: ("req/s", { $0.throughput }))
        report.cpu = try await worker(
            "2", "(2) worker, 0 ms", "(2) worker 0 ms burst", number: 2, latency: nil, rate: nil,
            judgedBy: ("µs/req", { $0.cpuPerRequest?.microsecondsValue ?? .nan }))
        report.paced = try await worker(
            "3", "(3) worker, paced", "(3) worker \(options.pacedRate)/s paced, \(options.latencyMilliseconds) ms",
            number: 3, latency: latency, rate: options.pacedRate, judgedBy: ("p99 ms", { $0.percentile(0.99) }))
        if options.parts.contains("g") {
            report.guardPairs = try await guardCost(options: options, step: step, environment: environment)
        }
        if options.parts.contains("t") {
            report.traces = try await withTraceSink { sink in
                try await tracesOnAndOff(sink: sink, environment: environment, step: step)
            }
        }
        await producer.close(timeout: .seconds(5))
    }
    cluster.shutdown()
    return report
}

/// The run whose `figure` is the median (`--repeat` takes odd counts only), noting every run's
/// figure; a single run as it is.
func medianRun(_ runs: [RunResult], judgedBy figure: (label: String, value: (RunResult) -> Double)) -> RunResult? {
    guard runs.count > 1 else { return runs.first }
    // A run without the figure (no latencies, no CPU reading) sorts last.
    func key(_ run: RunResult) -> Double {
        let value = figure.value(run)
        return value.isNaN ? .infinity : value
    }
    let ordered = runs.sorted { key($0) < key($1) }
    var median = ordered[(ordered.count - 1) / 2]
    let values = runs.map { format(figure.value($0), 1) }.joined(separator: ", ")
    median.notes.insert("median of \(runs.count) runs by \(figure.label): \(values)", at: 0)
    return median
}

/// The fraud guard's cost: the worker with `--guard off` and with the defaults, alternating off
/// and on within each repeat, for CPU per request (a 0 ms burst, as scenario 2) and p99 (paced
/// with the provider's latency, as scenario 3).
func guardCost(
    options: BenchOptions, step: (Character, String, () async throws -> RunResult) async throws -> RunResult?,
    environment: BenchEnvironment
) async throws -> [GuardPair] {
    var pairs: [GuardPair] = []
    let latency = Duration.milliseconds(options.latencyMilliseconds)
    for run in 1...options.repeats {
        var pair = GuardPair()
        for (variant, arguments) in [("off", ["--guard", "off"]), ("on", [String]())] {
            let burst = try await step("g", "(g) guard \(variant), 0 ms burst, run \(run)") {
                try await runWorkerScenario("guard \(variant) burst", number: 4, run: run, variant: "g\(variant)b",
                                            latency: nil, rate: nil, arguments: arguments, in: environment)
            }
            let paced = try await step("g", "(g) guard \(variant), paced, run \(run)") {
                try await runWorkerScenario("guard \(variant) paced", number: 4, run: run, variant: "g\(variant)p",
                                            latency: latency, rate: options.pacedRate, arguments: arguments, in: environment)
            }
            let figures = GuardPair.Figures(
                cpu: burst?.cpuPerRequest?.microsecondsValue ?? .nan, p99: paced?.percentile(0.99) ?? .nan,
                idle: burst?.workerIdleCores ?? .nan, switches: burst?.contextSwitchesPerRequest ?? .nan)
            if variant == "off" { pair.off = figures } else { pair.on = figures }
        }
        pairs.append(pair)
    }
    return pairs
}

/// One off/on pair of the guard's cost.
struct GuardPair: Sendable {
    struct Figures: Sendable {
        /// Worker CPU µs per request (0 ms burst), paced p99 ms, idle cores, context switches per request.
        var cpu = Double.nan, p99 = Double.nan, idle = Double.nan, switches = Double.nan
    }
    var off = Figures()
    var on = Figures()
}

/// Scenarios (2) and (3) with traces off and on, alternating which goes first in each round, so
/// that drift on a shared machine falls on both sides alike: `--repeat` rounds.
func tracesOnAndOff(
    sink: TraceSink, environment: BenchEnvironment,
    step: (Character, String, () async throws -> RunResult) async throws -> RunResult?
) async throws -> TracesComparison {
    let options = environment.options
    let latency = Duration.milliseconds(options.latencyMilliseconds)
    var comparison = TracesComparison()
    for round in 1...options.repeats {
        let order = round % 2 == 1 ? [false, true] : [true, false]
        for on in order {
            let label = on ? "traces on" : "traces off"
            let variant = on ? "t" : "o"
            if let cpu = try await step("t", "(2) worker, 0 ms, \(label) (round \(round))", {
                try await runWorkerScenario(
                    "(2) 0 ms burst, \(label)", number: 2, run: round, variant: variant, latency: nil, rate: nil,
                    traces: on ? sink : nil, in: environment)
            }) {
                if on { comparison.cpuOn.append(cpu) } else { comparison.cpuOff.append(cpu) }
            }
            if let paced = try await step("t", "(3) worker, paced, \(label) (round \(round))", {
                try await runWorkerScenario(
                    "(3) \(options.pacedRate)/s paced, \(label)", number: 3, run: round, variant: variant, latency: latency,
                    rate: options.pacedRate, traces: on ? sink : nil, in: environment)
            }) {
                if on { comparison.pacedOn.append(paced) } else { comparison.pacedOff.append(paced) }
            }
        }
    }
    comparison.sink = sink.totals
    return comparison
}

/// The runs of the traces comparison, by side.
struct TracesComparison: Sendable {
    var cpuOff: [RunResult] = []
    var cpuOn: [RunResult] = []
    var pacedOff: [RunResult] = []
    var pacedOn: [RunResult] = []
    var sink: (posts: Int, bytes: Int, spans: Int) = (0, 0, 0)
}
