#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The shared state behind ``MessageCentralClient``: configuration, the connection pool
/// and the token cache.
///
/// `Sendable` without `@unchecked`: every stored property is immutable and
/// `Sendable`; the only mutable state, the token cache, sits behind a lock.
final class ClientCore: Sendable {
    /// The handle on a token fetch in flight, which every waiter awaits.
    typealias TokenFetch = Task<Result<Secret<String>, TokenFetchError>, Never>

    let configuration: MessageCentralConfiguration
    let pool: ConnectionPool
    let logger: Logger
    let metrics = ProviderMetrics()
    let tokens = NIOLockedValueBox(TokenCacheState<TokenFetch>())
    /// The wall clock, to compare a token's `exp` with; replaceable for tests.
    let wallClockSeconds: @Sendable () -> Double

    init(
        configuration: MessageCentralConfiguration,
        pool: ConnectionPool,
        logger: Logger,
        wallClockSeconds: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        self.wallClockSeconds = wallClockSeconds
    }

    func send(_ request: SendRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> SendResult {
        var logger = CallLogger(self.logger)
        logger.phone = (request.countryCode, request.mobileNumber)
        var query: [(name: String, value: String)] = [
            ("countryCode", request.countryCode),
            ("customerId", self.configuration.customerID),
            ("flowType", request.flowType.rawValue),
            ("mobileNumber", request.mobileNumber),
        ]
        if let otpLength = request.otpLength {
            query.append(("otpLength", String(otpLength)))
        }
        let target = self.target(path: Paths.send, query: query)
        return try await self.call(.send, deadline: deadline, logger: logger) { token in
            ProviderRequest(method: .POST, target: target, token: token)
        } interpret: { status, body in
            ResponseInterpreter.interpretSend(httpStatus: status, bytes: body.readableBytesView, request: request)
        }
    }

    func validate(_ request: ValidateRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> ValidateResult {
        var logger = CallLogger(self.logger)
        logger.verificationID = request.verificationId
        let target = self.target(
            path: Paths.validate,
            query: [("verificationId", request.verificationId), ("code", request.code.revealed)]
        )
        return try await self.call(.validate, deadline: deadline, logger: logger) { token in
            ProviderRequest(method: .GET, target: target, token: token)
        } interpret: { status, body in
            ResponseInterpreter.interpretValidate(httpStatus: status, bytes: body.readableBytesView, request: request)
        }
    }

    func warmUp(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        try await self.withRetries(.warmUp, deadline: deadline, logger: CallLogger(self.logger)) { deadline, _ async -> AttemptOutcome<Void> in
            switch await self.token(deadline: deadline) {
            case .success: return .success(())
            case .failure(let failure): return failure.transient ? .transient(failure.error) : .permanent(failure.error)
            }
        }
    }

    /// Builds a request target (path and query, after the base URL's path); it is a
    /// ``Secret`` because query values may hold the key or a code.
    func target(path: String, query: [(name: String, value: String)]) -> Secret<String> {
        Secret(QueryString.target(path: path, query))
    }
}

/// One bodiless request to the provider; target and token are secrets until written.
struct ProviderRequest: Sendable {
    var method: HTTPMethod
    var target: Secret<String>
    var token: Secret<String>?

    /// The headers the document's examples send; `authToken` when a token is given.
    var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "accept", value: "*/*")
        if let token {
            headers.add(name: "authToken", value: token.revealed)
        }
        return headers
    }
}

/// The provider's paths, relative to the base URL.
enum Paths {
    static let token = "/auth/v1/authentication/token"
    static let send = "/verification/v3/send"
    static let validate = "/verification/v3/validateOtp"
}

/// The calls the client makes; raw values are log and metric labels.
enum Operation: String, Sendable {
    case send
    case validate
    case warmUp = "warm_up"
    case token
}
