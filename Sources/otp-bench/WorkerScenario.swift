import Foundation
import Kafka
import KafkaEmbedded
import MessageCentralSandbox

/// What one worker scenario needs from the bench.
struct BenchEnvironment: Sendable {
    let cluster: EmbeddedKafkaCluster
    let sandbox: SandboxHandle
    let sandboxConfiguration: SandboxConfiguration
    let producer: KafkaProducer
    let options: BenchOptions
    let logDirectory: String
}

/// Runs the real worker (`otp-worker run`, a child process) over `options.requests` requests:
/// warm-up, one idle second, then the measured requests (a burst, or paced at `rate`).
/// Each `run` of a scenario has topics, a group and a log of its own; `variant` tells apart
/// runs of the same scenario and number otherwise (traces off and on).
/// - Parameter traces: When given, the worker exports its spans there (traces on).
func runWorkerScenario(
    _ name: String, number: Int, run: Int = 1, variant: String = "", latency: Duration?, rate: Int?,
    arguments extra: [String] = [], traces: TraceSink? = nil, in environment: BenchEnvironment
) async throws -> RunResult {
    let options = environment.options
    let tag = (run == 1 ? "s\(number)" : "s\(number)r\(run)") + variant
    let topics = RunTopics(prefix: tag)
    for topic in topics.all { try environment.cluster.createTopic(topic, partitions: options.partitions) }
    environment.sandbox.reset()
    environment.sandbox.setLatency(latency)

    let count = options.requests
    let stamps = SendStamps(count: count)
    let observer = try OutcomeObserver(
        brokers: environment.cluster.bootstrapServers, topics: topics.outputs, partitions: options.partitions,
        measuredPrefix: "s\(number)", expected: count, stamps: stamps)

    // As in production (RunCommand's defaults) but for the test-speed fetch wait and the
    // scenario's topic names; the metrics endpoint binds a free loopback port.
    let logPath = environment.logDirectory + "/worker-\(tag).log"
    let worker = try WorkerProcess(
        path: options.workerPath,
        arguments: [
            "--brokers", environment.cluster.bootstrapServers,
            "--group-id", "otp-bench-\(tag)",
            "--provider-url", environment.sandbox.baseURL,
            "--customer-id", environment.sandboxConfiguration.customerID,
            "--max-in-flight", String(options.inFlight),
            "--kafka-option", "fetch.wait.max.ms=5",
            "--metrics-host", "127.0.0.1", "--metrics-port", "0",
            "--instance-id", "bench-\(tag)",
            "--topic-requested", topics.requested, "--topic-submitted", topics.submitted,
            "--topic-sent", topics.sent, "--topic-verified", topics.verified,
            "--topic-failed", topics.failed, "--topic-dlq", topics.deadLetter, "--topic-idempotency", topics.idempotency,
        ] + extra,
        // Traces on: the production defaults of the batch processor (a batch every 5 s, or
        // sooner each 512 spans), to a sink in this process.
        environment: ["MESSAGE_CENTRAL_PASSWORD": environment.sandboxConfiguration.password]
            .merging(traces.map { ["OTEL_EXPORTER_OTLP_ENDPOINT": $0.endpoint] } ?? [:]) { $1 },
        logPath: logPath)

    let startSpans = traces?.totals.spans ?? 0
    var result = RunResult(
        name: name, requests: count, throughput: 0, latencies: [], benchCores: 0, produceRate: 0, complete: false)
    do {
        // Warm-up: group join, first token, connection pool, first allocations.
        let warmup = RequestFactory(prefix: "w\(number)", block: 2 * number - 1)
        let warmupCount = min(options.warmup, count)
        _ = try await produceRequests(environment.producer, topic: topics.requested, factory: warmup, count: warmupCount)
        guard await observer.wait(timeout: .seconds(120), abort: { worker.hasExited }, until: { $0.warmups >= warmupCount }) else {
            throw BenchError("\(name): the worker did not answer \(warmupCount) warm-up requests (log: \(logPath))")
        }
        result.warmResidentKilobytes = worker.statusKilobytes("VmRSS")
        // One idle second: what the worker burns doing nothing (polling, timers).
        if let before = worker.cpuTime() {
            try await Task.sleep(for: .seconds(1))
            if let after = worker.cpuTime() { result.workerIdleCores = (after - before).seconds }
        }

        let cpuBefore = worker.cpuTime()
        let switchesBefore = worker.contextSwitches()
        let benchBefore = selfCPU()
        let factory = RequestFactory(prefix: "s\(number)", block: 2 * number)
        let produced = try await produceRequests(
            environment.producer, topic: topics.requested, factory: factory, count: count, rate: rate, stamps: stamps)
        let timeout = Duration.seconds(60 + count / 100)
        result.complete = await observer.wait(timeout: timeout, abort: { worker.hasExited }, until: { $0.measured >= count })
        let cpuAfter = worker.cpuTime()
        let switchesAfter = worker.contextSwitches()
        let benchAfter = selfCPU()
        result.peakResidentKilobytes = worker.statusKilobytes("VmHWM")

        let snapshot = observer.snapshot
        let window = Double(snapshot.lastArrival &- produced.first) / 1e9
        result.produceRate = Double(count) / max(produced.seconds, 1e-9)
        if result.complete {
            result.throughput = Double(count) / window
        } else {
            result.notes.append("incomplete: \(snapshot.measured) of \(count) outcomes within \(timeout)")
        }
        result.latencies = snapshot.latencies.sorted()
        // Paced runs only: in a burst, later requests wait behind earlier ones by design.
        if rate != nil { result.notes.append("p99 ms by fifth of the run, in arrival order: " + p99ByFifth(snapshot.latencies)) }
        if let cpuBefore, let cpuAfter, snapshot.measured > 0 {
            result.cpuPerRequest = (cpuAfter - cpuBefore) / snapshot.measured
            result.workerCores = (cpuAfter - cpuBefore).seconds / window
        }
        if snapshot.measured > 0 {
            let switches = switchesAfter.map { (kind: $0.key, count: $0.value - (switchesBefore[$0.key] ?? 0)) }
            let perRequest = Double(switches.reduce(0) { $0 + $1.count }) / Double(snapshot.measured)
            result.contextSwitchesPerRequest = perRequest
            result.notes.append("worker context switches per request: \(format(perRequest, 2)) ("
                + switches.sorted { $0.count > $1.count }
                    .map { "\($0.kind) \(format(Double($0.count) / Double(snapshot.measured), 2))" }.joined(separator: ", ") + ")")
        }
        result.benchCores = (benchAfter - benchBefore).seconds / window
        result.notes.append(describe(snapshot, topics: topics))
        if produced.refused > 0 { result.notes.append("\(produced.refused) inputs refused by the brokers") }
    } catch {
        _ = await worker.stop()
        await observer.close()
        throw error
    }
    let exported = traces?.totals
    let (exit, usage) = await worker.stop()
    if let before = exported, let after = traces?.totals {
        result.notes.append("traces: the sink received \(after.spans - startSpans) spans of this run's \(3 * (count + min(options.warmup, count))) "
            + "(\(after.spans - before.spans) of them at the worker's stop)")
    }
    if let usage { result.exitMaxResidentKilobytes = Int(usage.ru_maxrss) }
    result.notes.append("worker \(exit), whole-run CPU \(String(format: "%.2f", usage?.cpu.seconds ?? .nan)) s, log \(logPath)")
    await observer.close()
    return result
}

/// Outcome counts per topic, and a few failures to show why.
func describe(_ snapshot: OutcomeObserver.Snapshot, topics: RunTopics) -> String {
    var text = "outcomes: " + snapshot.byTopic.sorted { $0.key < $1.key }
        .map { "\($0.key.split(separator: ".").dropFirst().joined(separator: ".")) \($0.value)" }
        .joined(separator: ", ")
    text += " (\(snapshot.warmups) of them warm-up)"
    if snapshot.duplicates > 0 { text += ", \(snapshot.duplicates) duplicates" }
    for sample in snapshot.failedSamples { text += "\n      failed: \(sample)" }
    return text
}
