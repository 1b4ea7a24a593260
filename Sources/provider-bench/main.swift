// provider-bench: what the Message Central client costs on top of plain HTTP.
//
// Starts the sandbox in-process, then for each phase (0 ms and 50 ms added
// sandbox latency) runs a fixed number of `send` calls with 256 concurrent
// callers twice: through MessageCentralClient (its own connection pool), and as
// raw async-http-client requests with a token fetched once (the reference a
// general-purpose client gives). The difference is the client's own work
// (token cache, retries bookkeeping, decoding, logging and metrics calls) less
// what its leaner HTTP/1.1 pool saves.
//
// Run: swift run -c release provider-bench
import AsyncHTTPClient
import Foundation
import Logging
import MessageCentral
import MessageCentralSandbox
import NIOCore
import NIOHTTP1

let concurrency = 256
// `--quick` divides the calls by 20, to check the bench itself in a debug build.
let scale = CommandLine.arguments.contains("--quick") ? 20 : 1
let phases: [(name: String, latency: Duration?, calls: Int)] = [
    ("0 ms", nil, 20_000 / scale),
    ("50 ms", .milliseconds(50), 5_000 / scale),
]
let sandboxConfiguration = SandboxConfiguration(port: 0)

/// A distinct national number per call, so per-number limits never trigger.
func mobileNumber(_ phase: Int, _ runner: Int, _ call: Int) -> String {
    let value = 100_000_000 + phase * 20_000_000 + runner * 10_000_000 + call
    return "9" + String(value)
}

/// Fetches a token once with a raw request, for the ceiling loop.
func fetchRawToken(_ httpClient: HTTPClient, baseURL: String) async throws -> String {
    let key = Data("sandbox".utf8).base64EncodedString()
        .addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
    let url = baseURL + "/auth/v1/authentication/token?customerId=C-SANDBOX&key=\(key)&scope=NEW"
    let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 16)
    let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
    guard let token = object?["token"] as? String else {
        fatalError("no token in the sandbox's answer (HTTP \(response.status.code))")
    }
    return token
}

let logger = Logger(label: "provider-bench") { _ in SwiftLogNoOpLogHandler() }

try await withSandbox(sandboxConfiguration) { sandbox in
    let configuration = MessageCentralConfiguration(
        baseURL: sandbox.baseURL,
        customerID: sandboxConfiguration.customerID,
        password: Secret(sandboxConfiguration.password),
        maximumConnectionsPerHost: concurrency
    )
    // The ceiling's own pool, sized like the client's; no tracing spans, as nobody reads them.
    var httpConfiguration = HTTPClient.Configuration(
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency))
    httpConfiguration.tracing.tracer = nil
    let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    let client = try MessageCentralClient(configuration: configuration, logger: logger)
    let token = try await fetchRawToken(httpClient, baseURL: sandbox.baseURL)
    let baseURL = sandbox.baseURL

    print("provider-bench: \(concurrency) concurrent callers, POST /verification/v3/send against the in-process sandbox")
    fflush(nil)  // nil flushes every stream; stdout is a pipe when piped
    print("phase   calls  | client calls/s   p50 ms   p99 ms | ceiling calls/s   p50 ms   p99 ms | client/ceiling  failures")
    for (index, phase) in phases.enumerated() {
        sandbox.setLatency(phase.latency)
        // Warm the pool and the token cache outside the measurement.
        _ = await LoadLoop(concurrency: concurrency, total: concurrency * 2).run { call in
            (try? await client.send(SendRequest(countryCode: "91", mobileNumber: mobileNumber(index, 9, call)), deadline: nil)) != nil
        }
        // Both loops start from an empty sandbox, so neither pays for the other's stored verifications.
        sandbox.reset()
        sandbox.setLatency(phase.latency)
        let ceiling = await LoadLoop(concurrency: concurrency, total: phase.calls).run { call in
            var request = HTTPClientRequest(
                url: baseURL + "/verification/v3/send?countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber="
                    + mobileNumber(index, 0, call)
            )
            request.method = .POST
            request.headers.add(name: "authToken", value: token)
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 16)
                return response.status == .ok
            } catch {
                return false
            }
        }
        let ceilingSends = sandbox.stats.sends
        sandbox.reset()
        sandbox.setLatency(phase.latency)
        let measured = await LoadLoop(concurrency: concurrency, total: phase.calls).run { call in
            let request = SendRequest(countryCode: "91", mobileNumber: mobileNumber(index, 1, call))
            return (try? await client.send(request, deadline: nil)) != nil
        }
        let clientStats = sandbox.stats
        let ratio = measured.callsPerSecond / ceiling.callsPerSecond
        print(
            [
                phase.name.padding(6), String(phase.calls).padding(6, left: true), " |",
                String(Int(measured.callsPerSecond)).padding(15, left: true),
                measured.percentile(0.5).millisecondsText.padding(8, left: true),
                measured.percentile(0.99).millisecondsText.padding(8, left: true), " |",
                String(Int(ceiling.callsPerSecond)).padding(16, left: true),
                ceiling.percentile(0.5).millisecondsText.padding(8, left: true),
                ceiling.percentile(0.99).millisecondsText.padding(8, left: true), " |",
                String(Int((ratio * 100).rounded())).padding(14, left: true) + "%",
                "\(measured.failures)/\(ceiling.failures)".padding(9, left: true),
                "  (sandbox saw \(clientStats.sends)/\(ceilingSends) sends, \(clientStats.tokenFetches) token fetches by the client)",
            ].joined(separator: " ")
        )
        fflush(nil)  // nil flushes every stream; stdout is a pipe when piped
    }
    try await httpClient.shutdown()
    await client.shutdown()
}

extension String {
    func padding(_ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - self.count))
        return left ? fill + self : self + fill
    }
}
