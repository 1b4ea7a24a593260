import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import OTPWorker
import Prometheus
import ServiceLifecycle

/// Runs an ``ObservabilityServer`` on a free loopback port in a `ServiceGroup` for the body,
/// then shuts the group down gracefully and waits for it.
func withObservabilityServer<T: Sendable>(
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    readiness: any ReadinessSource = ReadinessState(),
    _ body: @Sendable (_ baseURL: String) async throws -> T
) async throws -> T {
    let logger = Logger(label: "observability-test") { _ in SwiftLogNoOpLogHandler() }
    let server = ObservabilityServer(host: "127.0.0.1", port: 0, registry: registry, readiness: readiness, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            let port = try await server.waitUntilListening()
            result = .success(try await body("http://127.0.0.1:\(port)"))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

/// A response's status and body as text.
struct TextResponse: Sendable {
    var status: Int
    var contentType: String?
    var body: String
}

/// `GET url` with a short timeout (AsyncHTTPClient retries refused connections until it runs out).
func get(_ url: String, timeout: TimeAmount = .seconds(5)) async throws -> TextResponse {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: timeout)
    let body = try await response.body.collect(upTo: 1 << 20)
    return TextResponse(
        status: Int(response.status.code),
        contentType: response.headers.first(name: "content-type"),
        body: String(buffer: body)
    )
}
