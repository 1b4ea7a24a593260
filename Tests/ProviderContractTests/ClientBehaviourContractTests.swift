import MessageCentral
import MessageCentralSandbox
import NIOConcurrencyHelpers
import Testing

/// Tokens, retries and deadlines over real HTTP, counted by the sandbox.
@Suite("Client behaviour against the sandbox", .timeLimit(.minutes(1)))
struct ClientBehaviourContractTests {
    @Test("100 concurrent calls on a cold cache share exactly one token fetch")
    func singleFlight() async throws {
        try await withClientAndSandbox { client, sandbox in
            try await withThrowingTaskGroup(of: SendResult.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
                    }
                }
                var ids = Set<String>()
                for try await result in group { ids.insert(result.verificationId) }
                #expect(ids.count == 100)
            }
            #expect(sandbox.stats.tokenFetches == 1)
            #expect(sandbox.stats.sends == 100)
        }
    }

    @Test("a token the provider stops accepting (401) is replaced once and the call succeeds")
    func refusedTokenReplaced() async throws {
        try await withClientAndSandbox { client, sandbox in
            _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            sandbox.expireAllTokens()
            // Ten callers hit the 401 together: still one new token, not ten.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
                    }
                }
                try await group.waitForAll()
            }
            #expect(sandbox.stats.tokenFetches == 2)
            #expect(sandbox.stats.sends == 21)
        }
    }

    @Test("short-lived tokens are refreshed ahead of exp while calls keep succeeding")
    func tokenExpiryMidUse() async throws {
        let sandboxConfiguration = SandboxConfiguration(port: 0, tokenLifetime: .seconds(2))
        try await withClientAndSandbox(sandbox: sandboxConfiguration) { client, sandbox in
            // Calls for 3 s of real time, and at least 12 of them, outlive the first token (its
            // `exp` is whole seconds, so it has between 1 and 2 s left when it arrives).
            let started = ContinuousClock.now
            var calls = 0
            while ContinuousClock.now < started + .seconds(3) || calls < 12 {
                let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
                let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
                _ = try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
                calls += 1
            }
            let elapsed = ContinuousClock.now - started
            let fetches = sandbox.stats.tokenFetches
            #expect(fetches >= 2, "a token of 2 s must be refreshed during 3 s")
            // Refreshes follow the clock, not the calls: a token is kept for at least half of
            // what it had left (0.5 s or more), so at most two fetches a second after the first,
            // however slow a loaded machine makes each call; and never one per call.
            let bound = Int(elapsed / .milliseconds(500)) + 1
            #expect(fetches <= bound, "\(fetches) fetches in \(elapsed)")
            #expect(fetches < calls, "refreshes must follow exp, not every call (\(fetches) fetches, \(calls) calls)")
        }
    }

    @Test("500s followed by success are retried and the call succeeds")
    func serverErrorsThenSuccess() async throws {
        try await withClientAndSandbox { client, sandbox in
            sandbox.inject(.internalServerError, count: 3, endpoint: .send)
            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            #expect(!sent.verificationId.isEmpty)
            #expect(sandbox.stats.sends == 4)
        }
    }

    @Test("gateway 502/503 pages, dropped connections and token-endpoint 500s are all retried")
    func transientVariety() async throws {
        try await withClientAndSandbox { client, sandbox in
            sandbox.inject(.serverError(status: 500), count: 2, endpoint: .token)
            sandbox.inject(.serverError(status: 502), count: 1, endpoint: .send)
            sandbox.inject(.dropConnection, count: 1, endpoint: .send)
            sandbox.inject(.serverError(status: 503), count: 1, endpoint: .send)
            _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            #expect(sandbox.stats.tokenFetches == 3)
            #expect(sandbox.stats.sends == 4)
        }
    }

    @Test("a send carried out whose answer is lost is retried, meets a 506 naming no verification, and the error says a code was probably sent")
    func lostAnswerThenPending() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, pendingNamesVerification: false)) { client, sandbox in
            sandbox.inject(.answerLost, count: 1, endpoint: .send)
            let number = freshMobileNumber()
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: number), deadline: nil)
            }
            #expect(error?.reason == .requestAlreadyExists)
            #expect(error?.providerCode == 506)
            #expect(error?.message.contains("1 earlier attempt(s) of this send got no answer") == true)
            #expect(sandbox.stats.sends == 2)
            #expect(sandbox.lastCode(mobileNumber: number) != nil, "the first attempt created a verification")
        }
    }

    @Test("a 506 with no unanswered attempt before it keeps the provider's message")
    func pendingWithoutLostAnswer() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, pendingNamesVerification: false)) { client, _ in
            let number = freshMobileNumber()
            _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: number), deadline: nil)
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: number), deadline: nil)
            }
            #expect(error?.reason == .requestAlreadyExists)
            #expect(error?.message.contains("got no answer") == false)
        }
    }

    @Test("one hang is cut by the request timeout and retried")
    func hangOnceRecovers() async throws {
        // The timeout leaves room for a slow machine (sanitizers, a loaded CI): an ordinary send
        // cut by it would have been processed, and its retry would meet 506.
        try await withClientAndSandbox(configure: { $0.requestTimeout = .seconds(2) }) { client, sandbox in
            sandbox.inject(.hang, count: 1, endpoint: .send)
            _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: .now + .seconds(15))
            #expect(sandbox.stats.sends == 2)
        }
    }

    @Test("a hang past the deadline is a retryable PROVIDER_UNAVAILABLE without a code, within the deadline")
    func hangPastDeadline() async throws {
        var bodyEnded = ContinuousClock.now
        try await withClientAndSandbox { client, sandbox in
            // A first call opens a pooled connection and caches a token.
            _ = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            sandbox.inject(.hang, count: 1000, endpoint: .send)
            let callStarted = ContinuousClock.now
            let call = Task {
                await expectProviderError {
                    try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: callStarted + .seconds(1))
                }
            }
            // While the request hangs, the table shows its connection open: the check below can fail.
            let hanging = ContinuousClock.now + .milliseconds(800)
            while sandbox.hungRequests == 0 && ContinuousClock.now < hanging { try await Task.sleep(for: .milliseconds(5)) }
            let hungPorts = sandbox.hungRequestClientPorts
            #expect(hungPorts.count == 1, "one hung request, with its client port: \(hungPorts)")
            let hungPort = hungPorts.first ?? -1
            #expect(TCPTable.clientState(localPort: hungPort, serverPort: sandbox.port) == .established)
            let error = await call.value
            let elapsed = ContinuousClock.now - callStarted
            #expect(error?.reason == .providerUnavailable)
            #expect(error?.providerCode == nil)
            #expect(error?.retryable == true)
            #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(1500), "took \(elapsed)")
            // Giving up must close the hung connection, not leave it open in the pool. Checked
            // on the client's side of the socket, in the kernel's table, which is what the
            // client controls (whether the sandbox notices is the sandbox's own tests' business).
            let limit = ContinuousClock.now + .seconds(8)
            var state = TCPTable.clientState(localPort: hungPort, serverPort: sandbox.port)
            while state == .established && ContinuousClock.now < limit {
                try await Task.sleep(for: .milliseconds(10))
                state = TCPTable.clientState(localPort: hungPort, serverPort: sandbox.port)
            }
            #expect(state != .established, "the connection the client gave up on is still open")
            bodyEnded = .now
        }
        // withClient shut the HTTPClient down without error and the sandbox stopped: no request
        // was left behind to wait for. Timed from the end of the body, so that a loaded machine's
        // slow start (the sandbox, the first token) does not count against it.
        let shutdown = ContinuousClock.now - bodyEnded
        #expect(shutdown < .seconds(5), "shutting down took \(shutdown)")
    }

    @Test("the deadline covers token fetches: a hanging token endpoint ends in PROVIDER_UNAVAILABLE in time")
    func hangingTokenEndpoint() async throws {
        try await withClientAndSandbox { client, sandbox in
            sandbox.inject(.hang, count: 1000, endpoint: .token)
            let started = ContinuousClock.now
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: .now + .milliseconds(700))
            }
            #expect(ContinuousClock.now - started < .milliseconds(1200))
            #expect(error?.reason == .providerUnavailable)
            #expect(sandbox.stats.sends == 0)
        }
    }

    @Test("a wrong password is UNAUTHORIZED, for warm-up and for calls, and is not retried")
    func wrongPassword() async throws {
        try await withClientAndSandbox(configure: { $0.password = Secret("not-the-password") }) { client, sandbox in
            let warmUp = await expectProviderError { try await client.warmUp(deadline: nil) }
            #expect(warmUp?.reason == .unauthorized)
            #expect(warmUp?.retryable == true)
            let send = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            }
            #expect(send?.reason == .unauthorized)
            #expect(sandbox.stats.tokenFetches == 2)
            #expect(sandbox.stats.sends == 0)
        }
    }

    @Test("a password rotated away after a 401 ends in UNAUTHORIZED after one refetch")
    func rotatedPassword() async throws {
        try await withClientAndSandbox { client, sandbox in
            try await client.warmUp(deadline: nil)
            sandbox.setPassword("rotated")
            sandbox.expireAllTokens()
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            }
            #expect(error?.reason == .unauthorized)
            #expect(sandbox.stats.tokenFetches == 2)
            #expect(sandbox.stats.sends == 1)
        }
    }

    @Test("warm-up fetches a token once and then uses the cache")
    func warmUp() async throws {
        try await withClientAndSandbox { client, sandbox in
            try await client.warmUp(deadline: nil)
            try await client.warmUp(deadline: nil)
            #expect(sandbox.stats.tokenFetches == 1)
        }
    }

    @Test("a probe reaches the provider even with a cached token, and reports outages and refusals")
    func probe() async throws {
        try await withClientAndSandbox { client, sandbox in
            try await client.warmUp(deadline: nil)
            try await client.probe(deadline: nil)
            #expect(sandbox.stats.tokenFetches == 2)

            sandbox.inject(.internalServerError, count: 1, endpoint: .token)
            let outage = await expectProviderError { try await client.probe(deadline: nil) }
            #expect(outage?.retryable == true)
            #expect(outage?.reason != .unauthorized)
            #expect(sandbox.stats.tokenFetches == 3, "a probe does not retry")

            sandbox.setPassword("rotated")
            let refused = await expectProviderError { try await client.probe(deadline: nil) }
            #expect(refused?.reason == .unauthorized)
        }
    }
}
