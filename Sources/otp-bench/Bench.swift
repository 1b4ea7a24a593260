import Foundation
import Kafka
import KafkaEmbedded
import MessageCentralSandbox

/// Runs the selected baselines and scenarios in order, sharing one cluster and one sandbox.
func runBench(options: BenchOptions, logDirectory: String) async throws -> Report {
    let latency = Duration.milliseconds(options.latencyMilliseconds)
    let cluster = try EmbeddedKafkaCluster(brokers: 3)
    let sandboxConfiguration = SandboxConfiguration(port: 0)
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
        report.saturated = try await step("1", "(1) worker, \(options.latencyMilliseconds) ms") {
            try await runWorkerScenario("(1) worker \(options.inFlight)/\(options.latencyMilliseconds) ms burst", number: 1, latency: latency, rate: nil, in: environment)
        }
        report.cpu = try await step("2", "(2) worker, 0 ms") {
            try await runWorkerScenario("(2) worker 0 ms burst", number: 2, latency: nil, rate: nil, in: environment)
        }
        report.paced = try await step("3", "(3) worker, paced") {
            try await runWorkerScenario("(3) worker \(options.pacedRate)/s paced, \(options.latencyMilliseconds) ms", number: 3, latency: latency, rate: options.pacedRate, in: environment)
        }
        await producer.close(timeout: .seconds(5))
    }
    cluster.shutdown()
    return report
}
