import Logging
import NIOCore
import Primitives

/// No HTTP answer: the connection, the TLS handshake or a timeout failed.
struct TransportFailure: Error, Sendable {
    var error: ProviderError
    var transient: Bool
}

extension ClientCore {
    /// Sends one request and reads the whole answer (head and body) by the attempt's share
    /// of the deadline: `min(deadline, now + requestTimeout)`.
    func execute(
        _ request: ProviderRequest,
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
            let answer = try await self.pool.execute(
                method: request.method, target: request.target.revealed, headers: request.headers, deadline: start + timeout)
            logger.debug(
                "provider answer",
                metadata: [
                    MessageCentralLogKey.path.key: "\(path)",
                    MessageCentralLogKey.httpStatus.key: "\(answer.status)",
                    MessageCentralLogKey.durationMilliseconds.key: "\((ContinuousClock.now - start).milliseconds)",
                ]
            )
            return .success(answer)
        } catch {
            let failure = Self.transportFailure(Task.isCancelled ? .cancelled : error)
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

    /// Classifies a request that got no answer; only failures waiting cannot mend
    /// (a shut-down client, an unusable base URL) are permanent.
    static func transportFailure(_ error: TransportError) -> TransportFailure {
        TransportFailure(
            error: .unavailable(lastProviderCode: nil, message: error == .cancelled ? "cancelled" : "no answer: \(error.message)"),
            transient: error.isTransient
        )
    }
}
