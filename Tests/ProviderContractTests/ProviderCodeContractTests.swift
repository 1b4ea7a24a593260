import MessageCentral
import MessageCentralSandbox
import Testing

/// Every documented response code, produced on purpose over real HTTP.
@Suite("Provider codes over HTTP against the sandbox", .timeLimit(.minutes(1)))
struct ProviderCodeContractTests {
    @Test("send, read the code, validate: success; validating again is 703 ALREADY_VERIFIED")
    func successThenAlreadyVerified() async throws {
        try await withClientAndSandbox { client, sandbox in
            let number = freshMobileNumber()
            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: number, otpLength: 6), deadline: nil)
            #expect(sent.timeoutSeconds == 60)
            let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
            #expect(code.count == 6)
            let validated = try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
            #expect(validated.verificationId == sent.verificationId)
            let again = await expectProviderError {
                try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
            }
            #expect(again?.reason == .alreadyVerified)
            #expect(again?.providerCode == 703)
            #expect(again?.retryable == false)
        }
    }

    @Test("702 WRONG_OTP_PROVIDED, then 700 VERIFICATION_FAILED after the allowed wrong attempts")
    func wrongThenFailed() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, maxWrongAttempts: 2)) { client, sandbox in
            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
            let wrong = ValidateRequest(verificationId: sent.verificationId, code: Secret(code == "0000" ? "1111" : "0000"))
            var reasons: [ProviderFailureReason?] = []
            var codes: [Int?] = []
            for _ in 0..<3 {
                let error = await expectProviderError { try await client.validate(wrong, deadline: nil) }
                reasons.append(error?.reason)
                codes.append(error?.providerCode)
            }
            #expect(reasons.first == .wrongOTPProvided)
            #expect(codes.first == 702)
            #expect(reasons.last == .verificationFailed)
            #expect(codes.last == 700)
        }
    }

    @Test("705 VERIFICATION_EXPIRED once the code's timeout has passed")
    func expired() async throws {
        try await withClientAndSandbox { client, sandbox in
            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
            sandbox.advanceClock(by: .seconds(61))
            let error = await expectProviderError {
                try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
            }
            #expect(error?.reason == .verificationExpired)
            #expect(error?.providerCode == 705)
        }
    }

    @Test("505 INVALID_VERIFICATION_ID for an id the provider never issued")
    func unknownVerification() async throws {
        try await withClientAndSandbox { client, _ in
            let error = await expectProviderError {
                try await client.validate(ValidateRequest(verificationId: "987654321", code: Secret("1234")), deadline: nil)
            }
            #expect(error?.reason == .invalidVerificationID)
            #expect(error?.providerCode == 505)
            #expect(error?.retryable == false)
        }
    }

    @Test("506 REQUEST_ALREADY_EXISTS for a second send while a code is pending, when the 506 names no verification; retryable, not retried")
    func pending() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, pendingNamesVerification: false)) { client, sandbox in
            let request = SendRequest(countryCode: "91", mobileNumber: freshMobileNumber())
            _ = try await client.send(request, deadline: nil)
            let error = await expectProviderError { try await client.send(request, deadline: nil) }
            #expect(error?.reason == .requestAlreadyExists)
            #expect(error?.providerCode == 506)
            #expect(error?.retryable == true)
            #expect(sandbox.stats.sends == 2, "506 must not be retried by the client")
        }
    }

    @Test("511 INVALID_COUNTRY_CODE for an unassigned country code")
    func invalidCountry() async throws {
        try await withClientAndSandbox { client, sandbox in
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "999", mobileNumber: freshMobileNumber()), deadline: nil)
            }
            #expect(error?.reason == .invalidCountryCode)
            #expect(error?.providerCode == 511)
            #expect(sandbox.stats.sends == 1)
        }
    }

    @Test("400 BAD_REQUEST for an OTP length outside 4...8")
    func badRequest() async throws {
        try await withClientAndSandbox { client, sandbox in
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber(), otpLength: 9), deadline: nil)
            }
            #expect(error?.reason == .badRequest)
            #expect(error?.providerCode == 400)
            #expect(sandbox.stats.sends == 1, "4xx must not be retried")
        }
    }

    @Test("800 MAXIMUM_LIMIT_REACHED once a number's send limit is used up")
    func limit() async throws {
        try await withClientAndSandbox(sandbox: SandboxConfiguration(port: 0, sendLimit: 2)) { client, sandbox in
            let request = SendRequest(countryCode: "91", mobileNumber: freshMobileNumber())
            for _ in 0..<2 {
                let sent = try await client.send(request, deadline: nil)
                let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
                _ = try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
            }
            let error = await expectProviderError { try await client.send(request, deadline: nil) }
            #expect(error?.reason == .maximumLimitReached)
            #expect(error?.providerCode == 800)
            #expect(error?.retryable == true)
        }
    }

    @Test("501 INVALID_CUSTOMER_ID from the token endpoint is reported as UNAUTHORIZED with the code kept")
    func invalidCustomer() async throws {
        try await withClientAndSandbox(configure: { $0.customerID = "C-NOBODY" }) { client, sandbox in
            let error = await expectProviderError { try await client.warmUp(deadline: nil) }
            #expect(error?.reason == .unauthorized)
            #expect(error?.retryable == true)
            #expect(error?.providerCode != nil)
            #expect(sandbox.stats.tokenFetches == 1, "a refused token request is not retried")
        }
    }

    @Test("persistent 500: SERVER_ERROR 500 without retries; PROVIDER_UNAVAILABLE with code 500 when the deadline runs out")
    func serverError() async throws {
        try await withClientAndSandbox(configure: { $0.retry = .none }) { client, sandbox in
            sandbox.inject(.internalServerError, count: 1, endpoint: .send)
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            }
            #expect(error?.reason == .serverError)
            #expect(error?.providerCode == 500)
            #expect(error?.retryable == true)
        }
        // Then 500s until the provider stops answering: the deadline cuts an attempt that got no
        // answer, so the outcome carries no code (docs/events.md, processing rule 7: the last
        // attempt's answer, or null).
        // Whether a deadline lands in a backoff or in a request is timing; this makes it certain.
        try await withClientAndSandbox { client, sandbox in
            sandbox.inject(.internalServerError, count: 3, endpoint: .send)
            sandbox.inject(.hang, count: 10_000, endpoint: .send)
            let started = ContinuousClock.now
            let error = await expectProviderError {
                try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: .now + .milliseconds(1500))
            }
            #expect(ContinuousClock.now - started < .milliseconds(2500))
            #expect(error?.reason == .providerUnavailable)
            #expect(error?.providerCode == nil)
            #expect(error?.retryable == true)
            #expect(sandbox.stats.sends >= 4, "500s must be retried")
        }
    }
}
