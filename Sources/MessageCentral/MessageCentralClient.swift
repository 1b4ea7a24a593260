import Logging
import NIOCore
import NIOPosix

/// The Message Central "Verify Now" v3 client over HTTP.
///
/// One instance per process is enough: it is a cheap `Sendable` handle on shared state (the
/// token cache) and on its own pool of keep-alive connections to the provider (HTTP/1.1,
/// TLS with full certificate and host name verification for `https`), through an HTTP proxy
/// when ``MessageCentralConfiguration/proxy`` names one. Call ``shutdown()`` after the last
/// call; ``withClient(configuration:logger:_:)`` does so itself.
///
/// Secrets: the password, key, tokens, codes and proxy credentials never reach a log line, an
/// error message or a metric label; phone numbers appear masked.
public struct MessageCentralClient: VerificationProvider {
    let core: ClientCore

    /// Creates a client and its connection pool; no connection is opened until the first call.
    ///
    /// - Parameters:
    ///   - configuration: Where the provider is, how to authenticate, timeouts and pool size
    ///     (``MessageCentralConfiguration/maximumConnectionsPerHost``).
    ///   - logger: Where the client logs; secrets are never logged.
    ///   - eventLoopGroup: Where connections run; SwiftNIO's shared group by default.
    /// - Throws: ``MessageCentralClientError`` when the base URL cannot be used or TLS cannot
    ///   be set up.
    public init(
        configuration: MessageCentralConfiguration,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(MessageCentralClientError) {
        let pool: ConnectionPool
        do {
            pool = try ConnectionPool(
                baseURL: configuration.baseURL, group: eventLoopGroup,
                maximumConnections: configuration.maximumConnectionsPerHost,
                connectTimeout: configuration.connectTimeout,
                maximumBodyBytes: configuration.maximumResponseBytes,
                proxy: configuration.proxy)
        } catch {
            throw MessageCentralClientError(message: error.message)
        }
        self.core = ClientCore(configuration: configuration, pool: pool, logger: logger)
    }

    /// Closes every connection. Calls still running fail as `PROVIDER_UNAVAILABLE`; later
    /// calls fail at once.
    public func shutdown() async {
        await self.core.pool.shutdown()
    }

    /// Runs `body` with a new client and shuts it down afterwards, whether `body` returns or
    /// throws.
    ///
    /// - Parameters:
    ///   - configuration: Where the provider is and how to authenticate.
    ///   - logger: Where the client logs.
    ///   - body: Uses the client; it must not let it escape.
    /// - Returns: What `body` returns.
    /// - Throws: ``MessageCentralClientError`` from creating the client, or what `body` throws.
    public static func withClient<Value: Sendable>(
        configuration: MessageCentralConfiguration,
        logger: Logger,
        _ body: (MessageCentralClient) async throws -> Value
    ) async throws -> Value {
        let client = try MessageCentralClient(configuration: configuration, logger: logger)
        let result: Result<Value, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        await client.shutdown()
        return try result.get()
    }

    /// Sends a code: `POST /verification/v3/send`.
    ///
    /// - Parameters:
    ///   - request: Where and how to send.
    ///   - deadline: When to give up; `nil` means now + `callDeadline`.
    /// - Returns: The verification id and the code's validity.
    /// - Throws: ``ProviderError``. Transient failures are retried until the
    ///   deadline, then `PROVIDER_UNAVAILABLE`; business codes are never retried.
    public func send(_ request: SendRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> SendResult {
        try await self.core.send(request, deadline: deadline)
    }

    /// Checks a code: `GET /verification/v3/validateOtp`.
    ///
    /// - Parameters:
    ///   - request: The verification id and the submitted code.
    ///   - deadline: When to give up; `nil` means now + `callDeadline`.
    /// - Returns: The id that was sent (not the provider's echo).
    /// - Throws: ``ProviderError``; success requires `VERIFICATION_COMPLETED`, so
    ///   703 `ALREADY_VERIFIED` is an error.
    public func validate(
        _ request: ValidateRequest,
        deadline: ContinuousClock.Instant?
    ) async throws(ProviderError) -> ValidateResult {
        try await self.core.validate(request, deadline: deadline)
    }

    /// Fetches a token unless a usable one is cached.
    ///
    /// - Parameter deadline: When to give up; `nil` means now + `callDeadline`.
    /// - Throws: ``ProviderError``: `UNAUTHORIZED` when refused, `PROVIDER_UNAVAILABLE`
    ///   when the provider cannot be reached in time.
    public func warmUp(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        try await self.core.warmUp(deadline: deadline)
    }

    public func probe(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        try await self.core.probe(deadline: deadline)
    }
}

extension TimeAmount {
    /// Converts a `Duration`, saturating at `Int64` nanoseconds.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = overflow ? .nanoseconds(.max) : .nanoseconds(product &+ attoseconds / 1_000_000_000)
    }
}

/// A client that cannot be made: the base URL is unusable or TLS cannot be set up.
public struct MessageCentralClientError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming no secret.
    public let message: String

    public var description: String { message }
}
