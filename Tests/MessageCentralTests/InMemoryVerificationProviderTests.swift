import Testing

@testable import MessageCentral

@Suite("In-memory twin", .timeLimit(.minutes(1)))
struct InMemoryVerificationProviderTests {
    let request = SendRequest(countryCode: "91", mobileNumber: "9876543210", otpLength: 6)

    @Test("send then validate with the generated code succeeds once; a replay is ALREADY_VERIFIED")
    func happyPath() async throws {
        let provider = InMemoryVerificationProvider()
        let sent = try await provider.send(self.request, deadline: nil)
        let code = try #require(provider.code(for: sent.verificationId))
        #expect(code.revealed.count == 6)
        let allDigits = code.revealed.allSatisfy { $0.isNumber }
        #expect(allDigits)
        #expect(sent.timeoutSeconds == 60)
        let validated = try await provider.validate(ValidateRequest(verificationId: sent.verificationId, code: code), deadline: nil)
        #expect(validated.verificationId == sent.verificationId)
        let replay = await #expect(throws: ProviderError.self) {
            try await provider.validate(ValidateRequest(verificationId: sent.verificationId, code: code), deadline: nil)
        }
        #expect(replay?.reason == .alreadyVerified)
        #expect(replay?.providerCode == 703)
        #expect(provider.calls.count == 3)
    }

    @Test("wrong codes give 702, then 700 after the allowed attempts")
    func wrongCodes() async throws {
        let provider = InMemoryVerificationProvider(maximumAttempts: 2, makeCode: { _ in "1111" })
        let sent = try await provider.send(SendRequest(countryCode: "91", mobileNumber: "9876543210"), deadline: nil)
        let wrong = ValidateRequest(verificationId: sent.verificationId, code: Secret("2222"))
        for expected in [ProviderFailureReason.wrongOTPProvided, .wrongOTPProvided, .verificationFailed] {
            let error = await #expect(throws: ProviderError.self) { try await provider.validate(wrong, deadline: nil) }
            #expect(error?.reason == expected)
        }
    }

    @Test("unknown ids give 505 and expired codes 705")
    func unknownAndExpired() async throws {
        let provider = InMemoryVerificationProvider()
        let unknown = await #expect(throws: ProviderError.self) {
            try await provider.validate(ValidateRequest(verificationId: "nope", code: Secret("1234")), deadline: nil)
        }
        #expect(unknown?.reason == .invalidVerificationID)
        let sent = try await provider.send(self.request, deadline: nil)
        provider.expire(verificationId: sent.verificationId)
        let code = try #require(provider.code(for: sent.verificationId))
        let expired = await #expect(throws: ProviderError.self) {
            try await provider.validate(ValidateRequest(verificationId: sent.verificationId, code: code), deadline: nil)
        }
        #expect(expired?.reason == .verificationExpired)
    }

    @Test("a pending code blocks a second send with 506 when asked to, and the 506 names no verification")
    func pendingDuplicate() async throws {
        let provider = InMemoryVerificationProvider(rejectsPendingDuplicates: true, pendingNamesVerification: false)
        _ = try await provider.send(self.request, deadline: nil)
        let error = await #expect(throws: ProviderError.self) { try await provider.send(self.request, deadline: nil) }
        #expect(error?.reason == .requestAlreadyExists)
        #expect(error?.providerCode == 506)
        #expect(error?.retryable == true)
    }

    @Test("a 506 that names the pending verification resumes it: same id, the time it has left, no new code")
    func pendingDuplicateResumed() async throws {
        let provider = InMemoryVerificationProvider(otpTimeout: .seconds(60), rejectsPendingDuplicates: true)
        let first = try await provider.send(self.request, deadline: nil)
        #expect(!first.resumed)
        let code = try #require(provider.code(for: first.verificationId))
        let again = try await provider.send(self.request, deadline: nil)
        #expect(again.resumed)
        #expect(again.verificationId == first.verificationId)
        #expect(again.transactionId == first.transactionId)
        let left = try #require(again.timeoutSeconds)
        #expect((1...60).contains(left))
        #expect(provider.code(for: again.verificationId) == code, "the code the user holds stays valid")
        _ = try await provider.validate(ValidateRequest(verificationId: again.verificationId, code: code), deadline: nil)

        // Once verified, nothing is pending: the next send starts a new verification.
        let next = try await provider.send(self.request, deadline: nil)
        #expect(!next.resumed)
        #expect(next.verificationId != first.verificationId)
    }

    @Test("scripted failures come first, in order; persistent ones last until cleared")
    func scripted() async throws {
        let provider = InMemoryVerificationProvider()
        let unavailable = ProviderError(reason: .providerUnavailable, providerCode: nil, message: "down")
        let limit = ProviderError(reason: .maximumLimitReached, providerCode: 800, message: "limit")
        provider.failNext(.send, with: unavailable)
        provider.failNext(.send, with: limit)
        let first = await #expect(throws: ProviderError.self) { try await provider.send(self.request, deadline: nil) }
        let second = await #expect(throws: ProviderError.self) { try await provider.send(self.request, deadline: nil) }
        #expect(first == unavailable)
        #expect(second == limit)
        _ = try await provider.send(self.request, deadline: nil)

        let unauthorized = ProviderError(reason: .unauthorized, providerCode: 401, message: "refused")
        provider.failAlways(.warmUp, with: unauthorized)
        for _ in 0..<3 {
            let error = await #expect(throws: ProviderError.self) { try await provider.warmUp(deadline: nil) }
            #expect(error == unauthorized)
        }
        provider.failAlways(.warmUp, with: nil)
        try await provider.warmUp(deadline: nil)
    }

    @Test("a past deadline is PROVIDER_UNAVAILABLE without a code; bad input maps to 511 and 400")
    func deadlinesAndInput() async {
        let provider = InMemoryVerificationProvider()
        let late = await #expect(throws: ProviderError.self) {
            try await provider.send(self.request, deadline: .now - .seconds(1))
        }
        #expect(late?.reason == .providerUnavailable)
        #expect(late?.providerCode == nil)
        let country = await #expect(throws: ProviderError.self) {
            try await provider.send(SendRequest(countryCode: "+91", mobileNumber: "9876543210"), deadline: nil)
        }
        #expect(country?.providerCode == 511)
        let length = await #expect(throws: ProviderError.self) {
            try await provider.send(SendRequest(countryCode: "91", mobileNumber: "9876543210", otpLength: 9), deadline: nil)
        }
        #expect(length?.reason == .badRequest)
    }

    @Test("it can stand in for the protocol")
    func existential() async throws {
        let provider: any VerificationProvider = InMemoryVerificationProvider()
        try await provider.warmUp(deadline: nil)
    }
}
