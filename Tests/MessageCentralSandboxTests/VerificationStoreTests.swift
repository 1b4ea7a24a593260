import Foundation
import Testing

@testable import MessageCentralSandbox

/// The business rules with an injected clock: expiry, attempts, pending and rate limits without I/O or waiting.
@Suite(.timeLimit(.minutes(1)))
struct VerificationStoreTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    let rules = VerificationStore.Rules(otpTimeout: .seconds(60), maxWrongAttempts: 3, sendLimit: 3, sendWindow: .seconds(600))

    func request(_ number: String = "9999999999", country: String = "91", length: Int = 4) -> VerificationStore.SendRequest {
        .init(customerID: "C-SANDBOX", countryCode: country, mobileNumber: number, otpLength: length)
    }

    func sent(_ store: inout VerificationStore, _ request: VerificationStore.SendRequest, at now: Date) throws -> VerificationStore.Verification {
        guard case .sent(let verification) = store.send(request, now: now) else {
            throw Failure("send was refused")
        }
        return verification
    }

    struct Failure: Error { let message: String; init(_ message: String) { self.message = message } }

    @Test func codeIsValidUntilJustBeforeTheTimeout() throws {
        var store = VerificationStore(rules: rules, firstID: 1000)
        let verification = try sent(&store, request(length: 6), at: start)
        #expect(verification.id == 1000)
        #expect(verification.code.count == 6 && verification.code.allSatisfy(\.isASCIIDigit))
        #expect(store.code(forVerification: 1000) == verification.code)
        let almost = start.addingTimeInterval(59.999)
        guard case .verified = store.validate(id: 1000, code: verification.code, customerID: "C-SANDBOX", now: almost) else {
            Issue.record("expected verified just before the timeout"); return
        }
    }

    @Test func codeAtTheTimeoutIsExpired() throws {
        var store = VerificationStore(rules: rules)
        let verification = try sent(&store, request(), at: start)
        let outcome = store.validate(id: verification.id, code: verification.code, customerID: "C-SANDBOX", now: start.addingTimeInterval(60))
        #expect(outcome == .expired(verification))
    }

    @Test func wrongCodesThenFailure() throws {
        var store = VerificationStore(rules: rules)
        let verification = try sent(&store, request(), at: start)
        let wrong = verification.code == "0000" ? "1111" : "0000"
        for attempt in 1...3 {
            guard case .wrongCode(let state) = store.validate(id: verification.id, code: wrong, customerID: "C-SANDBOX", now: start) else {
                Issue.record("attempt \(attempt) should be a wrong code"); return
            }
            #expect(state.state == (attempt < 3 ? .pending(wrongAttempts: attempt) : .failed))
        }
        guard case .failed = store.validate(id: verification.id, code: verification.code, customerID: "C-SANDBOX", now: start) else {
            Issue.record("the right code after too many wrong ones must fail"); return
        }
    }

    @Test func completedBeatsExpiryAndRepliesAlreadyVerified() throws {
        var store = VerificationStore(rules: rules)
        let verification = try sent(&store, request(), at: start)
        _ = store.validate(id: verification.id, code: verification.code, customerID: "C-SANDBOX", now: start)
        let later = start.addingTimeInterval(3600)
        guard case .alreadyVerified = store.validate(id: verification.id, code: verification.code, customerID: "C-SANDBOX", now: later) else {
            Issue.record("a replay must be already verified, even after the timeout"); return
        }
    }

    @Test func unknownIdOrOtherCustomerIsUnknown() throws {
        var store = VerificationStore(rules: rules)
        let verification = try sent(&store, request(), at: start)
        #expect(store.validate(id: verification.id + 1, code: "1234", customerID: "C-SANDBOX", now: start) == .unknown)
        #expect(store.validate(id: verification.id, code: verification.code, customerID: "C-OTHER", now: start) == .unknown)
    }

    @Test func pendingBlocksASecondSendUntilItExpiresOrCompletes() throws {
        var store = VerificationStore(rules: rules)
        let first = try sent(&store, request(), at: start)
        #expect(store.send(request(), now: start.addingTimeInterval(59)) == .alreadyPending(first))
        #expect(throws: Never.self) { _ = try sent(&store, request(country: "44"), at: start) }
        let second = try sent(&store, request(), at: start.addingTimeInterval(60))
        _ = store.validate(id: second.id, code: second.code, customerID: "C-SANDBOX", now: start.addingTimeInterval(61))
        #expect(throws: Never.self) { _ = try sent(&store, request(), at: start.addingTimeInterval(62)) }
    }

    @Test func sendLimitCountsAcceptedSendsInASlidingWindow() throws {
        var store = VerificationStore(rules: rules)
        for minute in 0..<3 {
            _ = try sent(&store, request(), at: start.addingTimeInterval(Double(minute) * 61))
        }
        #expect(store.send(request(), now: start.addingTimeInterval(200)) == .limitReached)
        #expect(store.send(request(), now: start.addingTimeInterval(599)) == .limitReached)
        // The first send leaves the window at 600 s; one slot opens.
        _ = try sent(&store, request(), at: start.addingTimeInterval(601))
        #expect(store.send(request(), now: start.addingTimeInterval(650)) == .limitReached, "sends at 61, 122 and 601 are in the window")
        #expect(throws: Never.self) { _ = try sent(&store, request("9888888888"), at: start.addingTimeInterval(700)) }
    }

    @Test func latestByNumberFollowsTheMostRecentSend() throws {
        var store = VerificationStore(rules: rules)
        let first = try sent(&store, request(), at: start)
        #expect(store.latest(forMobileNumber: "9999999999") == first)
        let second = try sent(&store, request(), at: start.addingTimeInterval(61))
        #expect(store.latest(forMobileNumber: "9999999999") == second)
        #expect(store.latest(forMobileNumber: "9000000000") == nil)
        #expect(second.id == first.id + 1)
    }
}
