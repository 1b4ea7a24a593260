import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A token fetch that failed, and whether trying again may help.
struct TokenFetchError: Error, Sendable {
    var error: ProviderError
    var transient: Bool
}

extension ClientCore {
    /// A token for one attempt: the cached one, or the result of the one fetch
    /// in flight (joined or started here).
    ///
    /// - Parameter deadline: The calling attempt's deadline; a fetch started here
    ///   ends by it (or by `requestTimeout`, whichever is first). A caller that
    ///   joins a fetch started by another waits for that fetch's own bound.
    func token(deadline: ContinuousClock.Instant) async -> Result<Secret<String>, TokenFetchError> {
        let now = ContinuousClock.now
        let fetchDeadline = min(deadline, now + self.configuration.requestTimeout)
        let acquisition = self.tokens.withLockedValue { state in
            state.acquire(now: now) { id in
                // Unstructured on purpose: the fetch serves every waiter, so it must
                // not die with the caller that happened to start it.
                Task { await self.fetchToken(id: id, deadline: fetchDeadline) }
            }
        }
        switch acquisition {
        case .use(let token):
            return .success(token)
        case .wait(let fetch):
            return await fetch.value
        }
    }

    /// One token fetch that bypasses the cache, without retries: does the provider answer
    /// and accept the credentials right now? A new token replaces the cached one.
    func probe(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        let now = ContinuousClock.now
        let fetchDeadline = min(deadline ?? now + self.configuration.requestTimeout, now + self.configuration.requestTimeout)
        let fetch = self.tokens.withLockedValue { state in
            state.refresh { id in
                Task { await self.fetchToken(id: id, deadline: fetchDeadline) }
            }
        }
        if case .failure(let failure) = await fetch.value { throw failure.error }
    }

    /// One request to the token endpoint; records the outcome in the cache.
    ///
    /// Invariant: ends with `complete(fetchID:with:)` on every path, so the cache
    /// never waits on a fetch that is over.
    private func fetchToken(id: UInt64, deadline: ContinuousClock.Instant) async -> Result<Secret<String>, TokenFetchError> {
        var query: [(name: String, value: String)] = [
            ("customerId", self.configuration.customerID),
            ("key", self.configuration.key.revealed),
            ("scope", "NEW"),
        ]
        if let country = self.configuration.country { query.append(("country", country)) }
        if let email = self.configuration.email { query.append(("email", email)) }
        let request = ProviderRequest(method: .GET, target: self.target(path: Paths.token, query: query), token: nil)
        var logger = CallLogger(self.logger)
        logger.operation = .token

        let result: Result<Secret<String>, TokenFetchError>
        switch await self.execute(request, operation: .token, deadline: deadline, logger: logger) {
        case .failure(let failure):
            result = .failure(TokenFetchError(error: failure.error, transient: failure.transient))
        case .success(let answer):
            switch ResponseInterpreter.interpretToken(httpStatus: answer.status, bytes: answer.body.readableBytesView) {
            case .success(let token):
                result = .success(Secret(token))
            case .failure(let error, let transient):
                result = .failure(TokenFetchError(error: error, transient: transient))
            case .tokenRefused(let code):
                // interpretToken reports refusals as failures; kept total for safety.
                let error = ProviderError(reason: .unauthorized, providerCode: code, message: "credentials refused")
                result = .failure(TokenFetchError(error: error, transient: false))
            }
        }

        switch result {
        case .success(let token):
            let cached = TokenLifetime.schedule(
                token: token,
                expiry: JWTExpiry.expiry(of: token.revealed),
                now: .now,
                wallClockSeconds: self.wallClockSeconds(),
                margin: self.configuration.tokenRefreshMargin,
                defaultLifetime: self.configuration.defaultTokenLifetime
            )
            self.tokens.withLockedValue { $0.complete(fetchID: id, with: cached) }
            self.metrics.recordTokenFetch(outcome: "success")
            logger.info(
                "fetched a provider token",
                metadata: [
                    MessageCentralLogKey.tokenLifetimeSeconds.key: "\((cached.expiresAt - .now).components.seconds)"
                ]
            )
        case .failure(let failure):
            self.tokens.withLockedValue { $0.complete(fetchID: id, with: nil) }
            self.metrics.recordTokenFetch(outcome: failure.error.metricLabel)
            logger.warning(
                "token fetch failed",
                metadata: [
                    MessageCentralLogKey.reason.key: "\(failure.error.reason.rawValue)",
                    MessageCentralLogKey.providerCode.key: "\(failure.error.providerCode.map(String.init) ?? "none")",
                    MessageCentralLogKey.error.key: "\(failure.error.message)",
                ]
            )
        }
        return result
    }
}
