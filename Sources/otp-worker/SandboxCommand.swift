import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MessageCentralSandbox
import OTPWorker
import ServiceLifecycle
import UnixSignals

/// `otp-worker sandbox`: the provider sandbox alone, on loopback.
///
/// Prints exactly one line to stdout, `listening http://HOST:PORT`, once it
/// accepts connections; logs go to stderr. SIGINT and SIGTERM stop it gracefully.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local emulation of Message Central's Verify Now v3 API.",
        discussion: """
            Serves GET /auth/v1/authentication/token, POST /verification/v3/send and \
            GET /verification/v3/validateOtp as the provider document shows them, with \
            real tokens, codes, expiry, attempt limits and rate limits.

            Control surface under /sandbox/ (not part of the real API):
              GET    /sandbox/otp?verificationId=ID  the code sent: {"code":"..."}
              GET    /sandbox/otp?mobileNumber=N     the latest code for a number
              GET    /sandbox/stats                  calls per endpoint
              POST   /sandbox/faults?type=T          next calls fail; T is one of
                       server-error (status=5xx), latency (delay=250ms),
                       hang, drop, answer-lost (carried out,
                       answer dropped); also count=N and
                       endpoint=token|send|validate|all
              POST   /sandbox/latency?delay=50ms     add latency to every call
              DELETE /sandbox/latency                stop adding latency
              POST   /sandbox/tokens/expire          issued tokens answer 401
              POST   /sandbox/password               body: the new password
              POST   /sandbox/clock/advance?by=90s   move the clock forward
              GET    /sandbox/pending-names-verification
                                                     {"enabled":true|false}
              POST   /sandbox/pending-names-verification?enabled=false
                                                     switch --pending-names-verification
              POST   /sandbox/reset                  forget state (not tokens)

            \(DurationOption.help)
            """
    )

    @Option(help: "Address to bind; only loopback unless --allow-non-loopback.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port.")
    var port = 8089

    @Option(name: .customLong("customer-id"), help: "The customer id the token endpoint accepts.")
    var customerID = "C-SANDBOX"

    @Option(help: "The password whose Base64 the token endpoint accepts as 'key'.")
    var password = "sandbox"

    @Option(name: .customLong("token-ttl"), help: "Lifetime of issued tokens (their exp). Default 3600s.", transform: DurationOption.parse)
    var tokenTTL: Duration = .seconds(3600)

    @Option(help: "How long a sent code stays valid; reported as 'timeout'. Default 60s.", transform: DurationOption.parse)
    var otpTimeout: Duration = .seconds(60)

    @Option(help: "Wrong codes tolerated per verification; after that it answers 700.")
    var maxWrongAttempts = 3

    @Option(help: "Sends accepted per number within --send-window; the next answers 800.")
    var sendLimit = 5

    @Option(help: "The window --send-limit counts over. Default 600s.", transform: DurationOption.parse)
    var sendWindow: Duration = .seconds(600)

    @Flag(help: "Permit binding a non-loopback --host. The sandbox accepts a well-known password.")
    var allowNonLoopback = false

    @Flag(
        inversion: .prefixedNo,
        help: "Whether the 506 for a number with a pending code names that verification (data.verificationId, data.timeout)."
    )
    var pendingNamesVerification = true

    @Option(help: "Log level for stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        var logger = Logger(label: "otp-worker.sandbox") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = SandboxConfiguration(
            host: host,
            port: port,
            customerID: customerID,
            password: password,
            tokenLifetime: tokenTTL,
            otpTimeout: otpTimeout,
            maxWrongAttempts: maxWrongAttempts,
            sendLimit: sendLimit,
            sendWindow: sendWindow,
            allowNonLoopback: allowNonLoopback,
            pendingNamesVerification: pendingNamesVerification
        )
        // A refused host or a senseless value throws here, before anything is bound.
        let server = try SandboxServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [server],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let handle = try await server.waitUntilListening()
                // Unbuffered on purpose: scripts wait for this line through a pipe.
                var output = StandardStream.standardOutput
                output.write("listening \(handle.baseURL)\n")
            }
            try await tasks.waitForAll()
        }
    }
}
