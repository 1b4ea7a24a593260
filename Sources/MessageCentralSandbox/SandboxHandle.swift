/// Control of a running sandbox from Swift: the same abilities as the
/// `/sandbox/` HTTP surface, for tests and the demo.
///
/// Every call takes effect before it returns; none touches the network.
public struct SandboxHandle: Sendable {
    let state: SandboxState
    let hangs: HangGate
    /// The host the sandbox listens on, as configured.
    public let host: String
    /// The port the sandbox listens on (the one the system picked, if configured as 0).
    public let port: Int

    /// `http://HOST:PORT`, ready to use as the provider base URL.
    public var baseURL: String {
        let authority = host.contains(":") ? "[\(host)]" : host
        return "http://\(authority):\(port)"
    }

    /// The code sent for a verification, given the id the send answer carried.
    public func lastCode(verificationId: String) -> String? {
        Int64(verificationId).flatMap { state.lastCode(verificationID: $0) }
    }

    /// The code most recently sent to a national number, in any country.
    public func lastCode(mobileNumber: String) -> String? {
        state.latestVerification(mobileNumber: mobileNumber)?.code
    }

    /// Makes the next `count` calls to `endpoint` suffer `fault`.
    ///
    /// Queued faults apply first in, first out, one per call; see ``SandboxFault``.
    /// - Precondition: a `serverError` status is between 500 and 599.
    public func inject(_ fault: SandboxFault, count: Int = 1, endpoint: SandboxEndpoint = .all) {
        if case .serverError(let status) = fault {
            precondition((500...599).contains(status), "a server error needs a 5xx status, not \(status)")
        }
        state.inject(fault, count: count, endpoint: endpoint)
    }

    /// Adds `latency` to every call of the emulated API until set to `nil` or reset.
    public func setLatency(_ latency: Duration?) {
        state.setLatency(latency)
    }

    /// Makes every token issued so far unacceptable (401), as if all expired now.
    public func expireAllTokens() {
        state.expireAllTokens()
    }

    /// Changes the password the token endpoint accepts, until reset.
    ///
    /// Tokens already issued stay valid, as they would after a live credential rotation.
    public func setPassword(_ password: String) {
        state.setPassword(password)
    }

    /// Whether a 506 for a number with a pending code names that verification (its id and
    /// the seconds it has left), until changed again or reset to the configured value.
    ///
    /// - Parameter names: `true` for `data.verificationId` and `data.timeout` in the 506,
    ///   `false` for `data: null`.
    public func setPendingNamesVerification(_ names: Bool) {
        state.setPendingNamesVerification(names)
    }

    /// Whether a 506 names the pending verification right now.
    public var pendingNamesVerification: Bool {
        state.pendingNamesVerification
    }

    /// Moves the sandbox's clock forward, so tokens and codes expire without waiting.
    ///
    /// Tokens issued afterwards carry `iat` and `exp` on the moved clock, so
    /// they look skewed to a client reading the real one.
    public func advanceClock(by duration: Duration) {
        state.advanceClock(by: duration)
    }

    /// Calls received since start or the last reset.
    public var stats: SandboxStats {
        state.stats
    }

    /// Requests held by a ``SandboxFault/hang`` right now, so a test can wait
    /// until a call is stuck before acting on it.
    public var hungRequests: Int {
        hangs.waitingCount
    }

    /// The client-side ports of the connections of the requests held by a hang right now, so a
    /// test can look up exactly those connections (in `/proc/net/tcp`, say).
    public var hungRequestClientPorts: [Int] {
        hangs.waitingClientPorts
    }

    /// Forgets verifications, send history, faults, latency, counters, the
    /// password change, the clock advance and a change of
    /// ``setPendingNamesVerification(_:)``. Issued tokens stay valid.
    public func reset() {
        state.reset()
    }
}
