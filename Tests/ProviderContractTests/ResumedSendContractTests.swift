import MessageCentral
import MessageCentralSandbox
import Testing

/// A second send to a number with a pending code, over real HTTP: the sandbox's 506 names the
/// pending verification (or, switched off, does not), and the client resumes it (or fails as before).
@Suite("Resumed sends against the sandbox", .timeLimit(.minutes(1)))
struct ResumedSendContractTests {
    @Test("a second send while a code is pending returns the same verification, resumed, with the time it has left")
    func secondSendResumes() async throws {
        try await withClientAndSandbox { client, sandbox in
            let request = SendRequest(countryCode: "91", mobileNumber: freshMobileNumber())
            let first = try await client.send(request, deadline: nil)
            #expect(!first.resumed)
            sandbox.advanceClock(by: .seconds(45))
            let again = try await client.send(request, deadline: nil)
            #expect(again.resumed)
            #expect(again.verificationId == first.verificationId)
            #expect(again.transactionId == first.transactionId)
            // 60 s of validity, 45 s and a round trip gone.
            let left = try #require(again.timeoutSeconds)
            #expect((10...15).contains(left), "\(left) s left")
            #expect(sandbox.stats.sends == 2, "506 must not be retried by the client")
            // The code the user holds is the one to check.
            let code = try #require(sandbox.lastCode(verificationId: again.verificationId))
            _ = try await client.validate(ValidateRequest(verificationId: again.verificationId, code: Secret(code)), deadline: nil)
        }
    }

    @Test("switched off in the configuration, the 506 names nothing and the send fails as REQUEST_ALREADY_EXISTS")
    func switchedOffFails() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, pendingNamesVerification: false)) { client, sandbox in
            let request = SendRequest(countryCode: "91", mobileNumber: freshMobileNumber())
            _ = try await client.send(request, deadline: nil)
            let error = await expectProviderError { try await client.send(request, deadline: nil) }
            #expect(error?.reason == .requestAlreadyExists)
            #expect(error?.providerCode == 506)
            #expect(error?.retryable == true)
            #expect(sandbox.stats.sends == 2)
        }
    }

    @Test("the switch takes effect on a running sandbox, both ways")
    func switchedAtRuntime() async throws {
        try await withClientAndSandbox { client, sandbox in
            let request = SendRequest(countryCode: "91", mobileNumber: freshMobileNumber())
            let first = try await client.send(request, deadline: nil)
            sandbox.setPendingNamesVerification(false)
            let error = await expectProviderError { try await client.send(request, deadline: nil) }
            #expect(error?.reason == .requestAlreadyExists)
            sandbox.setPendingNamesVerification(true)
            let resumed = try await client.send(request, deadline: nil)
            #expect(resumed.resumed)
            #expect(resumed.verificationId == first.verificationId)
        }
    }

    @Test("a send whose answer is lost is retried and resumes the verification its first attempt started")
    func lostAnswerThenResumed() async throws {
        try await withClientAndSandbox { client, sandbox in
            sandbox.inject(.answerLost, count: 1, endpoint: .send)
            let number = freshMobileNumber()
            let result = try await client.send(SendRequest(countryCode: "91", mobileNumber: number), deadline: nil)
            #expect(result.resumed)
            #expect(sandbox.stats.sends == 2)
            let sent = try #require(sandbox.lastCode(mobileNumber: number), "the first attempt created a verification")
            #expect(sandbox.lastCode(verificationId: result.verificationId) == sent, "the one the first attempt created")
        }
    }
}
