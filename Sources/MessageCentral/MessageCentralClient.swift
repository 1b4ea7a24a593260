import AsyncHTTPClient
import Logging
import NIOCore

/// The Message Central "Verify Now" v3 client over HTTP.
///
/// One instance per process is enough: it is a cheap `Sendable` handle on
/// shared state (the token cache) and on one `HTTPClient` and its connection pool.
///
/// Ownership of the `HTTPClient`: the client never shuts it down. Whoever
/// created it does (``withClient(configuration:logger:_:)`` does so itself);
/// shut it down only after the last call has returned.
///
/// Secrets: the password, key, tokens and codes never reach a log line, an
/// error message or a metric label; phone numbers appear masked. The client
/// does not hand its logger to async-http-client, whose trace logging prints
/// request heads (URL with the key or code, and the `authToken` header).
public struct MessageCentralClient: VerificationProvider {
    let core: ClientCore

    /// Creates a client on an existing `HTTPClient`.
    ///
    /// - Parameters:
    ///   - configuration: Where the provider is and how to authenticate.
    ///   - httpClient: The connection pool to use; the caller keeps ownership and
    ///     shuts it down after the last call. Make one with ``makeHTTPClient(for:)``
    ///     to get the configured connect timeout and pool size.
    ///   - logger: Where the client logs; secrets are never logged.
    public init(configuration: MessageCentralConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.core = ClientCore(configuration: configuration, httpClient: httpClient, logger: logger)
    }

    /// Makes an `HTTPClient` suited to the provider: TLS with full certificate
    /// verification (async-http-client's default, left untouched), the configured
    /// connect and read timeouts, redirects refused (a redirect would carry the
    /// `authToken` header to another place), the configured pool size, and no
    /// tracing spans (pass your own `HTTPClient` to ``init(configuration:httpClient:logger:)``
    /// to trace provider calls).
    ///
    /// - Parameter configuration: Supplies the timeouts and pool size.
    /// - Returns: A new client; the caller must shut it down.
    public static func makeHTTPClient(for configuration: MessageCentralConfiguration) -> HTTPClient {
        var httpConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: TimeAmount(configuration.connectTimeout),
                read: TimeAmount(configuration.requestTimeout)
            ),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maximumConnectionsPerHost
            )
        )
        httpConfiguration.decompression = .disabled
        // Left at its default, async-http-client opens a span through the global tracer, a
        // no-op one unless tracing was bootstrapped, and fills in its attributes for every
        // request: about 5% of the worker's CPU for spans nobody receives.
        httpConfiguration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    }

    /// Runs `body` with a client that owns its `HTTPClient`, and shuts that down
    /// afterwards, whether `body` returns or throws.
    ///
    /// - Parameters:
    ///   - configuration: Where the provider is and how to authenticate.
    ///   - logger: Where the client logs.
    ///   - body: Uses the client; it must not let it escape.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or the `HTTPClient`'s shutdown error.
    public static func withClient<Value: Sendable>(
        configuration: MessageCentralConfiguration,
        logger: Logger,
        _ body: (MessageCentralClient) async throws -> Value
    ) async throws -> Value {
        let httpClient = self.makeHTTPClient(for: configuration)
        let client = MessageCentralClient(configuration: configuration, httpClient: httpClient, logger: logger)
        let result: Result<Value, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try await httpClient.shutdown()
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
