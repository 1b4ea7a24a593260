import Logging
import ServiceLifecycle

/// Runs a sandbox for the duration of `body`.
///
/// Starts the server (on a free port by default), waits until it listens,
/// runs `body` with its handle, then shuts it down gracefully and waits for
/// that to finish, whether `body` returned or threw.
///
/// - Parameters:
///   - configuration: defaults to port 0, a free port.
///   - logger: defaults to a logger that discards everything.
/// - Returns: what `body` returned.
/// - Throws: what `body` threw, else any error the server failed with.
@discardableResult
public func withSandbox<T>(
    _ configuration: SandboxConfiguration = .init(port: 0),
    logger: Logger = Logger(label: "MessageCentralSandbox", factory: { _ in SwiftLogNoOpLogHandler() }),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SandboxHandle) async throws -> T
) async throws -> T {
    let server = try SandboxServer(configuration: configuration, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            let handle = try await server.waitUntilListening()
            result = .success(try await body(handle))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        do {
            try await tasks.waitForAll()
        } catch {
            // The body's own error says more than a shutdown error it may have caused.
            if case .success = result { throw error }
        }
        return try result.get()
    }
}
