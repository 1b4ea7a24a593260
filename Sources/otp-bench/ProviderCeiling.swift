import Foundation
import Logging
import MessageCentral
import MessageCentralSandbox
import Synchronization

/// Baseline (b), the provider ceiling, measured: the sandbox driven directly by the
/// MessageCentral client (configured as `otp-worker run` configures it) with `inFlight`
/// concurrent callers, for the same number of calls. The arithmetic ceiling is
/// `inFlight / latency`. Runs in this process, next to the sandbox.
/// With `rate`, calls start paced at `rate` per second instead (the provider path's latency
/// floor for scenario 3), each in its own task.
func runProviderCeiling(latency: Duration, rate: Int? = nil, in environment: BenchEnvironment) async throws -> RunResult {
    let options = environment.options
    let sandbox = environment.sandbox
    let configuration = MessageCentralConfiguration(
        baseURL: sandbox.baseURL, customerID: environment.sandboxConfiguration.customerID,
        password: Secret(environment.sandboxConfiguration.password),
        maximumConnectionsPerHost: max(32, options.inFlight))
    let client = try MessageCentralClient(
        configuration: configuration, logger: Logger(label: "otp-bench.provider") { _ in SwiftLogNoOpLogHandler() })
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
    let send: @Sendable (Int) async -> Bool = { call in
        (try? await client.send(SendRequest(countryCode: "91", mobileNumber: numbers.mobileNumber(call)), deadline: nil)) != nil
    }
    let (latencies, failures) = if let rate {
        await callPaced(rate: rate, total: options.requests, send)
    } else {
        await callConcurrently(options.inFlight, total: options.requests, send)
    }
    let elapsed = Double(monotonicNanoseconds() - started) / 1e9
    let benchAfter = selfCPU()
    await client.shutdown()
    var result = RunResult(
        name: rate.map { "(b) provider direct \($0)/s paced" } ?? "(b) provider direct", requests: options.requests, throughput: Double(latencies.count) / elapsed,
        latencies: latencies.sorted(), benchCores: (benchAfter - benchBefore).seconds / elapsed, produceRate: 0,
        complete: failures == 0)
    result.notes.append("MessageCentralClient → sandbox, " + (rate == nil ? "\(options.inFlight) callers" : "a task per call")
        + "; \(failures) failed calls; latency is per call")
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

/// `total` calls started at `rate` per second, each in its own task.
private func callPaced(rate: Int, total: Int, _ call: @escaping @Sendable (Int) async -> Bool) async -> ([UInt64], Int) {
    await withTaskGroup(of: (UInt64, Bool).self) { group in
        let start = monotonicNanoseconds()
        for number in 0..<total {
            let due = start + UInt64(number) * 1_000_000_000 / UInt64(rate)
            let now = monotonicNanoseconds()
            if due > now { try? await Task.sleep(for: .nanoseconds(Int64(due - now))) }
            group.addTask {
                let started = monotonicNanoseconds()
                let succeeded = await call(number)
                return (monotonicNanoseconds() - started, succeeded)
            }
        }
        var latencies: [UInt64] = []
        var failures = 0
        for await (latency, succeeded) in group {
            latencies.append(latency)
            if !succeeded { failures += 1 }
        }
        return (latencies, failures)
    }
}
