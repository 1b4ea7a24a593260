import Logging
import NIOConcurrencyHelpers
import NIOCore
import Primitives

/// What one attempt of a call came to.
enum AttemptOutcome<Success: Sendable>: Sendable {
    case success(Success)
    /// The provider refused this token (401/403).
    case tokenRefused(Secret<String>, providerCode: Int)
    /// Worth another attempt within the deadline (5xx, transport, timeout).
    case transient(ProviderError)
    /// Final: a business answer, a refusal of credentials, a malformed success.
    case permanent(ProviderError)
}

extension ClientCore {
    /// One authenticated provider call: token, HTTP request, interpretation,
    /// with retries, the 401 refresh and metrics.
    ///
    /// - Parameters:
    ///   - operation: For logs and metrics.
    ///   - deadline: Covers every attempt; `nil` means now + `callDeadline`.
    ///   - logger: Carries the call's safe metadata (masked phone, verification id).
    ///   - makeRequest: Builds the request for a token.
    ///   - interpret: Reads one answer.
    func call<Success: Sendable>(
        _ operation: Operation,
        deadline: ContinuousClock.Instant?,
        logger: CallLogger,
        makeRequest: @escaping @Sendable (Secret<String>) -> ProviderRequest,
        interpret: @escaping @Sendable (Int, ByteBuffer) -> ResponseInterpreter.Outcome<Success>
    ) async throws(ProviderError) -> Success {
        try await self.withRetries(operation, deadline: deadline, logger: logger) { deadline, logger in
            let token: Secret<String>
            switch await self.token(deadline: deadline) {
            case .success(let value):
                token = value
            case .failure(let failure):
                return failure.transient ? .transient(failure.error) : .permanent(failure.error)
            }
            switch await self.execute(makeRequest(token), operation: operation, deadline: deadline, logger: logger) {
            case .failure(let failure):
                return failure.transient ? .transient(failure.error) : .permanent(failure.error)
            case .success(let answer):
                switch interpret(answer.status, answer.body) {
                case .success(let value): return .success(value)
                case .tokenRefused(let code): return .tokenRefused(token, providerCode: code)
                case .failure(let error, let transient): return transient ? .transient(error) : .permanent(error)
                }
            }
        }
    }

    /// Runs attempts until one succeeds, one fails for good, the retry policy
    /// stops, or the deadline leaves no room for another.
    ///
    /// Giving up for lack of time is `PROVIDER_UNAVAILABLE` with the last answer's
    /// code (`nil` if the last attempt got none); a policy that stops before the
    /// deadline (`.none`, `maxAttempts`) surfaces the last failure as mapped
    /// (e.g. `SERVER_ERROR` 500). A refused token is dropped and the call retried
    /// once at once; a second refusal is `UNAUTHORIZED`. `body` runs one attempt, given the
    /// call's deadline and a logger that names the operation and the attempt.
    func withRetries<Success: Sendable>(
        _ operation: Operation,
        deadline: ContinuousClock.Instant?,
        logger: CallLogger,
        attempt body: (_ deadline: ContinuousClock.Instant, _ logger: CallLogger) async -> AttemptOutcome<Success>
    ) async throws(ProviderError) -> Success {
        let start = ContinuousClock.now
        let deadline = deadline ?? start + self.configuration.callDeadline
        var logger = logger
        logger.operation = operation
        do {
            let value = try await self.attemptLoop(operation, deadline: deadline, logger: logger, body: body)
            self.metrics.recordCall(operation: operation.rawValue, outcome: "success", duration: .now - start)
            return value
        } catch {
            let duration = ContinuousClock.now - start
            self.metrics.recordCall(operation: operation.rawValue, outcome: error.metricLabel, duration: duration)
            logger.log(
                level: error.reason == .providerUnavailable || error.reason == .unauthorized ? .warning : .debug,
                "provider call failed",
                metadata: [
                    MessageCentralLogKey.reason.key: "\(error.reason.rawValue)",
                    MessageCentralLogKey.providerCode.key: "\(error.providerCode.map(String.init) ?? "none")",
                    MessageCentralLogKey.error.key: "\(error.message)",
                    MessageCentralLogKey.durationMilliseconds.key: "\(duration.milliseconds)",
                ]
            )
            throw error
        }
    }

    private func attemptLoop<Success: Sendable>(
        _ operation: Operation,
        deadline: ContinuousClock.Instant,
        logger: CallLogger,
        body: (_ deadline: ContinuousClock.Instant, _ logger: CallLogger) async -> AttemptOutcome<Success>
    ) async throws(ProviderError) -> Success {
        var generator = SystemRandom()
        var refreshedAfterRefusal = false
        var lastProviderCode: Int?
        var lastMessage = "no attempt made"
        // An attempt that got no answer may still have been carried out by the provider.
        var unansweredAttempts = 0
        var attempt = 0
        while true {
            attempt += 1
            guard !Task.isCancelled else {
                throw .unavailable(lastProviderCode, "cancelled after \(attempt - 1) attempt(s); last: \(lastMessage)")
            }
            guard ContinuousClock.now < deadline else {
                throw .unavailable(lastProviderCode, "deadline passed after \(attempt - 1) attempt(s); last: \(lastMessage)")
            }
            // Every line of an attempt names the call's operation and the attempt.
            var logger = logger
            logger.attempt = attempt
            switch await body(deadline, logger) {
            case .success(let value):
                return value
            case .permanent(let error):
                throw error.afterUnanswered(unansweredAttempts, of: operation)
            case .tokenRefused(let token, let code):
                guard !refreshedAfterRefusal else {
                    throw ProviderError(reason: .unauthorized, providerCode: code, message: "token refused again after a refresh")
                }
                refreshedAfterRefusal = true
                lastProviderCode = code
                lastMessage = "token refused (\(code))"
                self.tokens.withLockedValue { _ = $0.invalidate(token) }
                ProviderCallObservation.observer?.tokenRefused(attempt: attempt, providerCode: code)
                logger.notice(
                    "provider refused the token; fetching a new one",
                    metadata: [MessageCentralLogKey.providerCode.key: "\(code)"]
                )
            case .transient(let error):
                lastProviderCode = error.providerCode
                lastMessage = error.message
                if error.providerCode == nil { unansweredAttempts += 1 }
                guard let delay = self.configuration.retry.delay(afterAttempt: attempt, using: &generator) else {
                    throw error
                }
                guard ContinuousClock.now + delay < deadline else {
                    throw .unavailable(lastProviderCode, "deadline reached after \(attempt) attempt(s); last: \(lastMessage)")
                }
                logger.debug(
                    "transient provider failure; retrying",
                    metadata: [
                        MessageCentralLogKey.reason.key: "\(error.reason.rawValue)",
                        MessageCentralLogKey.providerCode.key: "\(error.providerCode.map(String.init) ?? "none")",
                        MessageCentralLogKey.delayMilliseconds.key: "\(delay.milliseconds)",
                    ]
                )
                self.metrics.recordRetry(operation: operation.rawValue)
                ProviderCallObservation.observer?.retrying(ProviderRetryEvent(
                    operation: operation.rawValue, attempt: attempt, reason: error.reason,
                    providerCode: error.providerCode, delay: delay))
                do {
                    try await Task.sleep(until: .now + delay, clock: .continuous)
                } catch {
                    throw .unavailable(lastProviderCode, "cancelled after \(attempt) attempt(s); last: \(lastMessage)")
                }
            }
        }
    }
}

extension ProviderError {
    /// A send refused as already pending (506) after attempts that got no answer: one of them
    /// probably reached the provider and sent a code, whose verification id never arrived.
    /// The reason stays the provider's; the message says what the caller cannot see.
    fileprivate func afterUnanswered(_ unanswered: Int, of operation: Operation) -> ProviderError {
        guard unanswered > 0, operation == .send, reason == .requestAlreadyExists else { return self }
        return ProviderError(
            reason: reason, providerCode: providerCode,
            message: "\(message); \(unanswered) earlier attempt(s) of this send got no answer and probably reached the provider: a code may have been sent, its verification id is unknown")
    }

    fileprivate static func unavailable(_ code: Int?, _ message: String) -> ProviderError {
        .unavailable(lastProviderCode: code, message: message)
    }
}
