import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP answer, whatever its status.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: ByteBuffer
}

/// No HTTP answer: the connection, the TLS handshake or a timeout failed.
struct TransportFailure: Error, Sendable {
    var error: ProviderError
    var transient: Bool
}

extension ClientCore {
    /// Sends one request and reads the whole answer, bounded by the attempt's
    /// share of the deadline.
    ///
    /// The response head must arrive by `min(deadline, now + requestTimeout)`;
    /// the body is then bounded by the read timeout between bytes (async-http-client
    /// does not apply the deadline to body streaming) and by `maximumResponseBytes`.
    func execute(
        _ request: HTTPClientRequest,
        operation: Operation,
        deadline: ContinuousClock.Instant,
        logger: CallLogger
    ) async -> Result<HTTPAnswer, TransportFailure> {
        let start = ContinuousClock.now
        let remaining = deadline - start
        guard remaining > .zero else {
            return .failure(TransportFailure(error: .unavailable(lastProviderCode: nil, message: "no time left"), transient: true))
        }
        let timeout = min(remaining, self.configuration.requestTimeout)
        // The path only: the query holds the key or the code.
        let path = Self.path(of: operation)
        logger.trace("provider request", metadata: [MessageCentralLogKey.path.key: "\(path)"])
        do {
            // No logger handed over: async-http-client's trace logs print the request head.
            let response = try await self.httpClient.execute(request, timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: self.configuration.maximumResponseBytes)
            let status = Int(response.status.code)
            logger.debug(
                "provider answer",
                metadata: [
                    MessageCentralLogKey.path.key: "\(path)",
                    MessageCentralLogKey.httpStatus.key: "\(status)",
                    MessageCentralLogKey.durationMilliseconds.key: "\((ContinuousClock.now - start).milliseconds)",
                ]
            )
            return .success(HTTPAnswer(status: status, body: body))
        } catch {
            let failure = Self.transportFailure(error)
            logger.debug(
                "provider request failed without an answer",
                metadata: [
                    MessageCentralLogKey.path.key: "\(path)",
                    MessageCentralLogKey.error.key: "\(failure.error.message)",
                ]
            )
            return .failure(failure)
        }
    }

    private static func path(of operation: Operation) -> String {
        switch operation {
        case .send: return Paths.send
        case .validate: return Paths.validate
        case .token, .warmUp: return Paths.token
        }
    }

    /// Classifies an error without an answer. Only the error's type name or
    /// async-http-client's fixed error code is kept: other descriptions may
    /// name hosts or, in principle, URLs.
    static func transportFailure(_ error: any Error) -> TransportFailure {
        if let httpError = error as? HTTPClientError {
            // These cannot get better by waiting: the client is misconfigured or shut down.
            let permanent: [HTTPClientError] = [.alreadyShutdown, .invalidURL, .emptyHost, .emptyScheme]
            let isPermanent = permanent.contains(httpError)
            return TransportFailure(
                error: .unavailable(lastProviderCode: nil, message: "no answer: \(httpError)"),
                transient: !isPermanent
            )
        }
        if error is CancellationError {
            return TransportFailure(error: .unavailable(lastProviderCode: nil, message: "cancelled"), transient: true)
        }
        return TransportFailure(
            error: .unavailable(lastProviderCode: nil, message: "no answer: \(type(of: error))"),
            transient: true
        )
    }
}
