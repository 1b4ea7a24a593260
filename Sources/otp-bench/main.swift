// otp-bench: the real worker (`otp-worker run`, a child process: consumer, pipeline, provider
// client over HTTP, producer) against an embedded Kafka cluster and the provider sandbox in
// this process, next to two baselines measured in the same run:
//   (a) Kafka pass-through: the same requests consumed and answered through our wrapper, no provider;
//   (b) the provider: the in-flight bound over the latency, and the sandbox driven directly by
//       the MessageCentral client at that concurrency.
// Scenarios: (1) burst at 256 in flight with 50 ms provider latency; (2) burst at 0 ms, for CPU
// per request; (3) paced at 1,000/s with 50 ms, for p99; (4) the worker's peak RSS. On request
// (--scenarios t), (2) and (3) with traces off and on, alternating, the spans going to a sink
// in this process that discards them.
// The cluster, the sandbox and this process's producer and observer share the machine's cores
// with the worker: the "bench cores" column says how much they took.
//
// Run: swift build -c release --product otp-worker && swift run -c release otp-bench [--requests N]
import Foundation
import KafkaEmbedded
import MessageCentralSandbox

let options: BenchOptions
do {
    options = try BenchOptions(arguments: CommandLine.arguments)
} catch {
    FileHandle.standardError.write(Data("otp-bench: \(error)\n".utf8))
    exit(2)
}
guard FileManager.default.isExecutableFile(atPath: options.workerPath) || options.parts.isDisjoint(with: ["1", "2", "3", "t"]) else {
    FileHandle.standardError.write(Data("otp-bench: no otp-worker at \(options.workerPath); run `swift build -c release --product otp-worker` first or pass --worker PATH\n".utf8))
    exit(2)
}
let logDirectory = NSTemporaryDirectory() + "otp-bench-\(ProcessInfo.processInfo.processIdentifier)"
try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)

print("otp-bench: \(options.requests) requests per run, \(options.inFlight) in flight, provider latency \(options.latencyMilliseconds) ms, "
      + "paced \(options.pacedRate)/s, \(options.partitions) partitions per topic, 3 embedded brokers, \(options.warmup) warm-up requests per run")
print("worker: \(options.workerPath) run (child process; production settings but fetch.wait.max.ms=5; "
    + "its allocator is on the first line of its log), logs in \(logDirectory)")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores shared by the worker, this process (embedded cluster, sandbox, input producer, outcome reader) and anything else running")

let report = try await runBench(options: options, logDirectory: logDirectory)
report.print()
