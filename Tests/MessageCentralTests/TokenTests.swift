import Foundation
import Testing

@testable import MessageCentral

/// Builds an unsigned-looking JWT with the given payload JSON.
func makeJWT(payload: String) -> String {
    func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    return base64URL(#"{"alg":"HS512"}"#) + "." + base64URL(payload) + ".c2lnbmF0dXJl"
}

@Suite("JWT expiry and token lifetime", .timeLimit(.minutes(1)))
struct JWTExpiryTests {
    @Test("exp is read from the base64url payload without padding")
    func readsExp() {
        // "~~~" and "???" make the payload's Base64 hold '+' and '/', i.e. '-' and '_' in base64url.
        let token = makeJWT(payload: #"{"sub":"C-33432A5F49F7404","iat":1712119040,"exp":1870000000,"x":"~~~???"}"#)
        #expect(token.contains("-") || token.contains("_"))
        #expect(JWTExpiry.expiry(of: token) == 1_870_000_000)
    }

    @Test("exp as a fractional number or a numeric string is accepted")
    func lenientExp() {
        #expect(JWTExpiry.expiry(of: makeJWT(payload: #"{"exp":1870000000.7}"#)) == 1_870_000_000)
        #expect(JWTExpiry.expiry(of: makeJWT(payload: #"{"exp":"1870000000"}"#)) == 1_870_000_000)
    }

    @Test("no exp, not a JWT, or a truncated payload gives nil")
    func noExp() {
        #expect(JWTExpiry.expiry(of: makeJWT(payload: #"{"sub":"C-1"}"#)) == nil)
        #expect(JWTExpiry.expiry(of: "opaque-token") == nil)
        #expect(JWTExpiry.expiry(of: "") == nil)
        // The document's example token, truncated mid-payload.
        #expect(JWTExpiry.expiry(of: "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJDLTMzNDMyQTVGNDIGNzQwNCI6ImIhdCI6MTcxMjExOTA0MCwiZXhwIjo") == nil)
        #expect(JWTExpiry.expiry(of: "a.!!!.c") == nil)
    }

    @Test("a token is refreshed a margin before exp")
    func schedule() {
        let now = ContinuousClock.now
        let cached = TokenLifetime.schedule(
            token: Secret("t"), expiry: 10_003_600, now: now, wallClockSeconds: 10_000_000,
            margin: .seconds(60), defaultLifetime: .seconds(600)
        )
        #expect(cached.expiresAt == now + .seconds(3600))
        #expect(cached.refreshAt == now + .seconds(3540))
    }

    @Test("the margin is capped at half of a short lifetime")
    func shortLifetime() {
        let now = ContinuousClock.now
        let cached = TokenLifetime.schedule(
            token: Secret("t"), expiry: 102, now: now, wallClockSeconds: 100,
            margin: .seconds(60), defaultLifetime: .seconds(600)
        )
        #expect(cached.expiresAt == now + .seconds(2))
        #expect(cached.refreshAt == now + .seconds(1))
    }

    @Test("without exp the default lifetime applies; a past exp expires at once")
    func fallbacks() {
        let now = ContinuousClock.now
        let none = TokenLifetime.schedule(
            token: Secret("t"), expiry: nil, now: now, wallClockSeconds: 100,
            margin: .seconds(60), defaultLifetime: .seconds(600)
        )
        #expect(none.expiresAt == now + .seconds(600))
        #expect(none.refreshAt == now + .seconds(540))
        let past = TokenLifetime.schedule(
            token: Secret("t"), expiry: 50, now: now, wallClockSeconds: 100,
            margin: .seconds(60), defaultLifetime: .seconds(600)
        )
        #expect(past.expiresAt == now)
        #expect(past.refreshAt == now)
    }
}

@Suite("Token cache state machine", .timeLimit(.minutes(1)))
struct TokenCacheStateTests {
    let start = ContinuousClock.now

    func token(_ value: String, refreshIn: Int, expireIn: Int) -> CachedToken {
        CachedToken(token: Secret(value), refreshAt: self.start + .seconds(refreshIn), expiresAt: self.start + .seconds(expireIn))
    }

    @Test("100 callers on a cold cache start exactly one fetch and all wait for it")
    func singleFlight() {
        var state = TokenCacheState<Int>()
        var started = 0
        for _ in 0..<100 {
            let action = state.acquire(now: self.start) { id in started += 1; return Int(id) }
            guard case .wait(1) = action else { Issue.record("expected to wait for fetch 1, got \(action)"); return }
        }
        #expect(started == 1)
        state.complete(fetchID: 1, with: self.token("a", refreshIn: 50, expireIn: 60))
        guard case .use(let token) = state.acquire(now: self.start, startFetch: { _ in Issue.record("no fetch expected"); return 0 })
        else { Issue.record("expected the cached token"); return }
        #expect(token == Secret("a"))
    }

    @Test("past the refresh point the old token is used while one background fetch runs")
    func refreshAhead() {
        var state = TokenCacheState<Int>()
        _ = state.acquire(now: self.start) { Int($0) }
        state.complete(fetchID: 1, with: self.token("a", refreshIn: 50, expireIn: 60))
        var started = 0
        for _ in 0..<10 {
            guard case .use(Secret("a")) = state.acquire(now: self.start + .seconds(55), startFetch: { started += 1; return Int($0) })
            else { Issue.record("the unexpired token must still be used"); return }
        }
        #expect(started == 1)
        #expect(state.inFlight?.id == 2)
        state.complete(fetchID: 2, with: self.token("b", refreshIn: 150, expireIn: 160))
        guard case .use(Secret("b")) = state.acquire(now: self.start + .seconds(56), startFetch: { _ in 0 })
        else { Issue.record("the new token must be used"); return }
    }

    @Test("an expired token is not used; callers wait for a fetch")
    func expired() {
        var state = TokenCacheState<Int>()
        _ = state.acquire(now: self.start) { Int($0) }
        state.complete(fetchID: 1, with: self.token("a", refreshIn: 50, expireIn: 60))
        guard case .wait(2) = state.acquire(now: self.start + .seconds(60), startFetch: { Int($0) })
        else { Issue.record("expected a new fetch"); return }
    }

    @Test("a failed fetch clears the flight so the next caller starts another")
    func failedFetch() {
        var state = TokenCacheState<Int>()
        _ = state.acquire(now: self.start) { Int($0) }
        state.complete(fetchID: 1, with: nil)
        #expect(state.inFlight == nil)
        #expect(state.cached == nil)
        guard case .wait(2) = state.acquire(now: self.start, startFetch: { Int($0) }) else {
            Issue.record("expected fetch 2"); return
        }
    }

    @Test("a refused token is dropped once; a stale refusal does not drop its successor")
    func invalidate() {
        var state = TokenCacheState<Int>()
        _ = state.acquire(now: self.start) { Int($0) }
        state.complete(fetchID: 1, with: self.token("a", refreshIn: 50, expireIn: 60))
        let first = state.invalidate(Secret("a"))
        let second = state.invalidate(Secret("a"))
        #expect(first)
        #expect(!second)
        _ = state.acquire(now: self.start) { Int($0) }
        state.complete(fetchID: 2, with: self.token("b", refreshIn: 50, expireIn: 60))
        let stale = state.invalidate(Secret("a"))
        #expect(!stale, "a late 401 for the old token must not drop the new one")
        #expect(state.cached?.token == Secret("b"))
    }
}
