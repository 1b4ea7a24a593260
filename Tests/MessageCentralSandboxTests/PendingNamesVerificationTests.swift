import Foundation
import NIOHTTP1
import Testing

@testable import MessageCentralSandbox

/// The 506 for a number with a pending code: naming that verification (the default) or not,
/// switched by configuration, by the handle and by the control surface.
@Suite(.timeLimit(.minutes(1)))
struct PendingNamesVerificationTests {
    @Test func pendingAnswerNamesTheVerificationInTheSendAnswersShape() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let first = try await http.send(token: token, mobileNumber: "9876543210")
            let firstData = try #require(first.data)
            let id = try #require(firstData["verificationId"] as? String)
            sandbox.advanceClock(by: .seconds(45))
            let again = try await http.send(token: token, mobileNumber: "9876543210")
            #expect(again.status == 400, "506 still travels as HTTP 400")
            let json = try #require(again.json)
            #expect(Set(json.keys) == ["responseCode", "message", "data"])
            #expect(isNumber(json["responseCode"], 506))
            #expect(json["message"] as? String == "REQUEST_ALREADY_EXISTS")
            let data = try #require(again.data)
            #expect(Set(data.keys) == ["verificationId", "mobileNumber", "responseCode", "errorMessage", "timeout", "smCLI", "transactionId"])
            #expect(data["verificationId"] as? String == id, "a string, as in the send answer")
            #expect(data["mobileNumber"] as? String == "9876543210")
            #expect(data["responseCode"] as? String == "506")
            #expect(data["errorMessage"] as? String == "REQUEST_ALREADY_EXISTS")
            // 60 s of validity, 45 s and a round trip gone; a string, as in the send answer.
            let timeout = try #require(data["timeout"] as? String)
            #expect(Int(timeout).map { (10...15).contains($0) } == true, "timeout \(timeout)")
            #expect(data["transactionId"] as? String == firstData["transactionId"] as? String)
            #expect(sandbox.lastCode(verificationId: id) != nil, "no second verification replaced it")
        }
    }

    @Test func switchedOffTheAnswerCarriesNoData() async throws {
        try await withRawSandbox(.init(port: 0, pendingNamesVerification: false)) { sandbox, http in
            #expect(!sandbox.pendingNamesVerification)
            let token = try await http.token()
            _ = try await http.sendOK(token: token)
            let again = try await http.send(token: token)
            #expect(again.status == 400)
            #expect(again.numericResponseCode == 506)
            #expect(again.json?["data"] is NSNull)
        }
    }

    @Test func handleSwitchesARunningSandboxAndResetRestoresTheConfiguredValue() async throws {
        try await withRawSandbox { sandbox, http in
            #expect(sandbox.pendingNamesVerification)
            let token = try await http.token()
            _ = try await http.sendOK(token: token)
            sandbox.setPendingNamesVerification(false)
            #expect(try await http.send(token: token).json?["data"] is NSNull)
            sandbox.setPendingNamesVerification(true)
            #expect(try await http.send(token: token).data?["verificationId"] is String)
            sandbox.setPendingNamesVerification(false)
            sandbox.reset()
            #expect(sandbox.pendingNamesVerification, "reset goes back to the configuration")
        }
    }

    @Test func controlSurfaceReadsAndSetsTheSwitch() async throws {
        try await withRawSandbox { sandbox, http in
            let read = try await http.get("/sandbox/pending-names-verification")
            #expect(read.status == 200)
            #expect(read.json?["enabled"] as? Bool == true)
            let off = try await http.post("/sandbox/pending-names-verification?enabled=false")
            #expect(off.status == 200)
            #expect(off.json?["enabled"] as? Bool == false)
            #expect(!sandbox.pendingNamesVerification)

            let token = try await http.token()
            _ = try await http.sendOK(token: token)
            #expect(try await http.send(token: token).json?["data"] is NSNull)
            try await http.post("/sandbox/pending-names-verification?enabled=true").expectEnabled(true)
            #expect(try await http.send(token: token).data?["verificationId"] is String)

            #expect(try await http.post("/sandbox/pending-names-verification?enabled=maybe").status == 400)
            #expect(try await http.post("/sandbox/pending-names-verification").status == 400)
            #expect(try await http.request(.DELETE, "/sandbox/pending-names-verification").status == 405)
            #expect(sandbox.pendingNamesVerification, "refused requests change nothing")

            try await http.post("/sandbox/pending-names-verification?enabled=false").expectEnabled(false)
            try await http.post("/sandbox/reset").expectOK()
            try await http.get("/sandbox/pending-names-verification").expectEnabled(true)
        }
    }

    @Test func remainingTimeCountsDownToZero() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let verification = VerificationStore.Verification(
            id: 1, customerID: "C-SANDBOX", countryCode: "91", mobileNumber: "9999999999", code: "1234",
            transactionID: "t", sentAt: start, expiresAt: start.addingTimeInterval(60), state: .pending(wrongAttempts: 0))
        #expect(verification.remaining(at: start) == .seconds(60))
        #expect(verification.remaining(at: start.addingTimeInterval(59.5)).wholeSecondsRoundedUp == 1)
        #expect(verification.remaining(at: start.addingTimeInterval(61)) == .zero)
    }
}

extension RawResponse {
    /// Expects the switch's control answer, `{"enabled": value}`.
    func expectEnabled(_ value: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 200 && json?["enabled"] as? Bool == value, "\(body)", sourceLocation: sourceLocation)
    }
}
