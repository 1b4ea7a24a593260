import AsyncHTTPClient
import Foundation
import Logging
import MessageCentral
import MessageCentralSandbox
import Synchronization

/// Baseline (b), the provider ceiling, measured: the sandbox driven directly by the
/// MessageCentral client (configured as `otp-worker run` configures it) with `inFlight`
/// concurrent callers, for the same number of calls. The arithmetic ceiling is
/// `inFlight / latency`. Runs in this process, next to the sandbox.
func runProviderCeiling(latency: Duration, in environment: BenchEnvironment) async throws -> RunResult {
    let options = environment.options
    let sandbox = environment.sandbox
    let configuration = MessageCentralConfiguration(
        baseURL: sandbox.baseURL, customerID: environment.sandboxConfiguration.customerID,
        password: Secret(environment.sandboxConfiguration.password),
        maximumConnectionsPerHost: max(32, options.inFlight))
    let httpClient = MessageCentralClient.makeHTTPClient(for: configuration)
    let client = MessageCentralClient(
        configuration: configuration, httpClient: httpClient, logger: Logger(label: "otp-bench.provider") { _ in SwiftLogNoOpLogHandler() })
    let numbers = RequestFactory(prefix: "pc", block: 0)
    sandbox.reset()
    sandbox.setLatency(latency)
    // Warm the pool and the token cache, then start from an empty sandbox.
    _ = await callConcurrently(options.inFlight, total: options.inFlight * 2) { call in
        (try? await client.send(SendRequest(countryCode: "91", mobileNumber: numbers.mobileNumber(call)), deadline: nil)) != nil
    }
    sandbox.reset()
    sandbox.setLatency(latency)
    let benchBefore = selfCPU()
    let started = monotonicNanoseconds()
    let (latencies, failures) = await callConcurrently(options.inFlight, total: options.requests) { call in
        (try? await client.send(SendRequest(countryCode: "91", mobileNumber: numbers.mobileNumber(call)), deadline: nil)) != nil
    }
    let elapsed = Double(monotonicNanoseconds() - started) / 1e9
    let benchAfter = selfCPU()
    try await httpClient.shutdown()
    var result = RunResult(
        name: "(b) provider direct", requests: options.requests, throughput: Double(latencies.count) / elapsed,
        latencies: latencies.sorted(), benchCores: (benchAfter - benchBefore).seconds / elapsed, produceRate: 0,
        complete: failures == 0)
    result.notes.append("MessageCentralClient → sandbox, \(options.inFlight) callers; \(failures) failed calls; latency is per call")
    return result
}

/// `total` calls by `concurrency` callers taking the next number until all are taken.
/// Returns every call's latency (ns) and the failures.
private func callConcurrently(
    _ concurrency: Int, total: Int, _ call: @escaping @Sendable (Int) async -> Bool
) async -> ([UInt64], Int) {
    let next = CallCounter()
    let results = await withTaskGroup(of: ([UInt64], Int).self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var latencies: [UInt64] = []
                var failures = 0
                while true {
                    let number = next.take()
                    guard number < total else { break }
                    let start = monotonicNanoseconds()
                    if !(await call(number)) { failures += 1 }
                    latencies.append(monotonicNanoseconds() - start)
                }
                return (latencies, failures)
            }
        }
        var all: [([UInt64], Int)] = []
        for await result in group { all.append(result) }
        return all
    }
    return (results.flatMap(\.0), results.map(\.1).reduce(0, +))
}

private final class CallCounter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
