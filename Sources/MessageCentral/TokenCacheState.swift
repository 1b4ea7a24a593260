/// A token and the instants that govern it.
struct CachedToken: Sendable, Equatable {
    var token: Secret<String>
    /// From here on a background fetch replaces the token.
    var refreshAt: ContinuousClock.Instant
    /// From here on the token is not handed out; callers wait for a new one.
    var expiresAt: ContinuousClock.Instant
}

/// The token cache as a state machine: which token to use, when to fetch, and
/// who waits for whom. Pure: the caller supplies the time and performs the fetch.
///
/// Invariants:
/// - at most one fetch is in flight (single-flight): concurrent callers without a
///   usable token join it rather than starting their own;
/// - a token past its refresh point but before its expiry is still handed out
///   while one background fetch replaces it, so a refresh never stalls callers;
/// - a token refused by the provider is dropped only if it is still the cached
///   one, so many callers refused together cause one fetch, not many.
///
/// `Fetch` is the caller's handle on a fetch in flight (a `Task` in the client,
/// an integer in tests).
struct TokenCacheState<Fetch: Sendable>: Sendable {
    /// What the caller must do to get a token.
    enum Acquisition: Sendable {
        /// Use this token now.
        case use(Secret<String>)
        /// Await this fetch (just started or already in flight).
        case wait(Fetch)
    }

    private(set) var cached: CachedToken?
    private(set) var inFlight: (id: UInt64, fetch: Fetch)?
    private var nextFetchID: UInt64 = 0

    init() {}

    /// Decides how a caller gets a token, starting a fetch if one is needed.
    ///
    /// - Parameters:
    ///   - now: The current instant.
    ///   - startFetch: Called at most once, with the new fetch's id, to start it;
    ///     the fetch must end with ``complete(fetchID:with:)``.
    mutating func acquire(now: ContinuousClock.Instant, startFetch: (UInt64) -> Fetch) -> Acquisition {
        if let cached = self.cached, now < cached.expiresAt {
            if now >= cached.refreshAt, self.inFlight == nil {
                _ = self.start(startFetch)
            }
            return .use(cached.token)
        }
        if let inFlight = self.inFlight {
            return .wait(inFlight.fetch)
        }
        return .wait(self.start(startFetch))
    }

    /// Records the end of a fetch.
    ///
    /// - Parameters:
    ///   - fetchID: The id given to `startFetch`.
    ///   - token: The new token, or `nil` if the fetch failed (the old token, if
    ///     still unexpired, stays in use).
    mutating func complete(fetchID: UInt64, with token: CachedToken?) {
        if self.inFlight?.id == fetchID {
            self.inFlight = nil
        }
        if let token {
            self.cached = token
        }
    }

    /// Drops a token the provider refused, if it is still the cached one.
    ///
    /// - Parameter token: The token that got a 401 or 403.
    /// - Returns: Whether the cache changed.
    @discardableResult
    mutating func invalidate(_ token: Secret<String>) -> Bool {
        guard let cached = self.cached, cached.token == token else { return false }
        self.cached = nil
        return true
    }

    /// Forces a fetch even if the cached token is still good (joins one in flight).
    ///
    /// Used by a probe that must reach the provider: a cached token says nothing about
    /// whether the provider answers now.
    mutating func refresh(startFetch: (UInt64) -> Fetch) -> Fetch {
        if let inFlight = self.inFlight { return inFlight.fetch }
        return self.start(startFetch)
    }

    private mutating func start(_ startFetch: (UInt64) -> Fetch) -> Fetch {
        self.nextFetchID += 1
        let id = self.nextFetchID
        let fetch = startFetch(id)
        self.inFlight = (id, fetch)
        return fetch
    }
}

/// When a freshly fetched token should be refreshed and when it expires.
enum TokenLifetime {
    /// Schedules a token from its `exp` claim.
    ///
    /// - Parameters:
    ///   - expiry: The `exp` claim (seconds since 1970), or `nil` when the token has none.
    ///   - now: The current instant of the continuous clock.
    ///   - wallClockSeconds: The current wall-clock time in seconds since 1970,
    ///     to turn `exp` into a duration.
    ///   - margin: How long before expiry to refresh; capped at half the lifetime
    ///     so that a short-lived token is still used for a while.
    ///   - defaultLifetime: The lifetime assumed without `exp`.
    /// - Returns: The instants; a token whose `exp` has passed expires at `now`
    ///   (it is used for the call that fetched it and refetched by the next).
    static func schedule(
        token: Secret<String>,
        expiry: Int64?,
        now: ContinuousClock.Instant,
        wallClockSeconds: Double,
        margin: Duration,
        defaultLifetime: Duration
    ) -> CachedToken {
        var lifetime = defaultLifetime
        if let expiry {
            let remaining = Double(expiry) - wallClockSeconds
            lifetime = remaining > 0 ? .milliseconds(Int64(min(remaining, 1e12) * 1000)) : .zero
        }
        let effectiveMargin = min(margin, lifetime / 2)
        let expiresAt = now + lifetime
        return .init(token: token, refreshAt: expiresAt - effectiveMargin, expiresAt: expiresAt)
    }
}
