import Hummingbird
import Logging
import NIOCore
import Primitives
import Prometheus
import ServiceLifecycle

/// The operator's HTTP endpoints as a `Service`: `/metrics`, `/healthz` and `/readyz`.
///
/// Run it in the worker's `ServiceGroup` so graceful shutdown stops it with the rest.
/// It is a separate listener from anything the worker talks to, so Prometheus and the
/// orchestrator's probes keep answering while consumption is paused. Run it once.
public final class ObservabilityServer: Service, Sendable {
    /// The address it binds; `0.0.0.0` so other containers can scrape it.
    public let host: String
    /// The port it binds; 0 picks a free one (see ``waitUntilListening()``).
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let readiness: any ReadinessSource
    private let logger: Logger
    private let listening = BoundPortSignal()

    /// Creates a server; nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port to bind, 0 for a free one. `OTP_METRICS_PORT` in the contract.
    ///   - registry: The registry `/metrics` renders: the one behind the bootstrapped factory.
    ///   - readiness: What `/readyz` reports, usually a ``ReadinessState``.
    ///   - logger: For bind errors and Hummingbird's own messages.
    public init(
        host: String = "0.0.0.0",
        port: Int,
        registry: PrometheusCollectorRegistry,
        readiness: any ReadinessSource,
        logger: Logger = Logger(label: "otp-worker.observability")
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: the bind error (port in use, ...).
    public func run() async throws {
        let listening = self.listening
        let configuredPort = port
        let app = Application(
            router: Self.makeRouter(registry: registry, readiness: readiness),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                listening.succeed(port: channel.localAddress?.port ?? configuredPort)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            listening.fail(error)
            throw error
        }
        listening.fail(ObservabilityServerError.stoppedBeforeListening)
    }

    /// Waits until the server is bound and returns its port (the chosen one when configured with 0).
    ///
    /// - Throws: the error ``run()`` failed with, ``ObservabilityServerError/stoppedBeforeListening``,
    ///   or `CancellationError`.
    public func waitUntilListening() async throws -> Int {
        try await listening.wait()
    }

    /// The bound port once listening; `nil` before.
    public var boundPort: Int? {
        listening.port
    }
}

/// Why ``ObservabilityServer/waitUntilListening()`` gave up.
public enum ObservabilityServerError: Error, Sendable, Equatable {
    /// The server stopped (shutdown or cancellation) before it ever bound.
    case stoppedBeforeListening
}
