import Hummingbird
import Logging
import NIOCore
import Primitives
import ServiceLifecycle

/// The Message Central sandbox as a `Service`: run it in a `ServiceGroup`,
/// or use ``withSandbox(_:logger:_:)`` which does that for you.
///
/// Run it once. Graceful shutdown stops accepting connections, releases hung
/// requests by closing their connections, and returns when all are done.
public final class SandboxServer: Service, Sendable {
    /// The configuration the server was created with.
    public let configuration: SandboxConfiguration
    private let logger: Logger
    let state: SandboxState
    private let hangs = HangGate()
    private let listening = BoundPortSignal()

    /// Creates a server; nothing is bound until ``run()``.
    ///
    /// - Throws: ``SandboxError/nonLoopbackHost(_:)`` for a non-loopback host
    ///   without `allowNonLoopback`, ``SandboxError/invalidConfiguration(_:)``
    ///   for values that make no sense.
    public init(
        configuration: SandboxConfiguration = .init(),
        logger: Logger = Logger(label: "MessageCentralSandbox")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.state = SandboxState(configuration: configuration)
    }

    /// Binds and serves until graceful shutdown or cancellation.
    ///
    /// - Throws: the bind error (port in use, ...) or ``SandboxError``.
    public func run() async throws {
        try configuration.validate()
        let responder = SandboxResponder(state: state, hangs: hangs)
        let listening = self.listening
        let configuredPort = configuration.port
        let app = Application(
            responder: CallbackResponder { (request: Request, context: SandboxRequestContext) in
                await responder.respond(to: request, context: context)
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                listening.succeed(port: channel.localAddress?.port ?? configuredPort)
            },
            logger: logger
        )
        let hangs = self.hangs
        do {
            try await withGracefulShutdownHandler {
                try await app.run()
            } onGracefulShutdown: {
                hangs.releaseAll()
            }
        } catch {
            listening.fail(error)
            hangs.releaseAll()
            throw error
        }
        listening.fail(SandboxError.stoppedBeforeListening)
        hangs.releaseAll()
    }

    /// Waits until the server is bound and returns a handle that knows its port.
    ///
    /// - Throws: the error ``run()`` failed with, ``SandboxError/stoppedBeforeListening``,
    ///   or `CancellationError`.
    public func waitUntilListening() async throws -> SandboxHandle {
        let port = try await listening.wait()
        return SandboxHandle(state: state, hangs: hangs, host: configuration.host, port: port)
    }

    /// The handle, once the server is listening; `nil` before.
    public var handle: SandboxHandle? {
        listening.port.map { SandboxHandle(state: state, hangs: hangs, host: configuration.host, port: $0) }
    }

    /// `http://HOST:PORT` once the server is listening; `nil` before.
    public var baseURL: String? {
        handle?.baseURL
    }
}
