import Logging
import MessageCentral
import MessageCentralSandbox
import Testing

/// Starts a sandbox on an address of its own in 127.0.0.0/8, port 0, and a client pointed at it; stops both afterwards.
///
/// The client's `HTTPClient` is shut down by `withClient` after `body`, so a
/// leaked connection or a stuck request shows up as a hang (caught by the
/// suite's time limit) or a thrown shutdown error.
func withClientAndSandbox<T: Sendable>(
    sandbox: SandboxConfiguration = SandboxConfiguration(port: 0),
    logger: Logger = Logger(label: "contract", factory: { _ in SwiftLogNoOpLogHandler() }),
    configure: (inout MessageCentralConfiguration) -> Void = { _ in },
    _ body: (MessageCentralClient, SandboxHandle) async throws -> T
) async throws -> T {
    var sandbox = sandbox
    sandbox.host = SandboxConfiguration.isolatedLoopbackHost()
    return try await withSandbox(sandbox) { handle in
        var configuration = MessageCentralConfiguration(
            baseURL: handle.baseURL,
            customerID: sandbox.customerID,
            password: Secret(sandbox.password),
            connectTimeout: .seconds(2),
            requestTimeout: .seconds(5),
            callDeadline: .seconds(10),
            retry: .exponentialJitter(base: .milliseconds(10), max: .milliseconds(200))
        )
        configure(&configuration)
        return try await MessageCentralClient.withClient(configuration: configuration, logger: logger) { client in
            try await body(client, handle)
        }
    }
}

/// A fresh 10-digit national number, so sends do not trip the per-number limits.
func freshMobileNumber() -> String {
    "9" + String(Int.random(in: 100_000_000...999_999_999))
}

/// Runs `body`, expecting it to throw a ``ProviderError``; returns the error or records an issue.
func expectProviderError<T>(
    _ body: () async throws -> T
) async -> ProviderError? {
    do {
        let value = try await body()
        Issue.record("expected a ProviderError, got \(value)")
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        Issue.record("expected a ProviderError, got \(type(of: error)): \(error)")
        return nil
    }
}
