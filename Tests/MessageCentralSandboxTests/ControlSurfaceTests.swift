import Foundation
import MessageCentralSandbox
import TestSupport
import Testing

/// The `/sandbox/` surface and the Swift handle: codes, counters, reset.
@Suite(.timeLimit(.minutes(1)))
struct ControlSurfaceTests {
    @Test func otpByVerificationIdIsExactlyTheContractShape() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token, mobileNumber: "9876543210")
            let response = try await http.get("/sandbox/otp?verificationId=\(id)")
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(Set(json.keys) == ["code"])
            let code = try #require(json["code"] as? String)
            #expect(code == sandbox.lastCode(verificationId: id))
            #expect(try await http.validate(token: token, verificationID: id, code: code).numericResponseCode == 200)
        }
    }

    @Test func otpByMobileNumber() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token, mobileNumber: "9876543210")
            let response = try await http.get("/sandbox/otp?mobileNumber=9876543210")
            #expect(response.json?["verificationId"] as? String == id)
            #expect(response.json?["code"] as? String == sandbox.lastCode(mobileNumber: "9876543210"))
            #expect(sandbox.lastCode(mobileNumber: "9000000000") == nil)
        }
    }

    @Test func otpForUnknownOrMissingIdIsRefused() async throws {
        try await withRawSandbox { sandbox, http in
            let unknown = try await http.get("/sandbox/otp?verificationId=12345")
            #expect(unknown.status == 404)
            let missing = try await http.get("/sandbox/otp")
            #expect(missing.status == 400)
            let malformed = try await http.get("/sandbox/otp?verificationId=x")
            #expect(malformed.status == 400)
            #expect(sandbox.lastCode(verificationId: "12345") == nil)
        }
    }

    @Test func statsCountEveryCallPerEndpointButNotControlCalls() async throws {
        try await withRawSandbox { sandbox, http in
            #expect(sandbox.stats == SandboxStats())
            let token = try await http.token()
            _ = try await http.tokenResponse(password: "wrong")
            let id = try await http.sendOK(token: token)
            _ = try await http.send(token: token)  // 506, still a call
            _ = try await http.validate(token: token, verificationID: id, code: "x")
            _ = try await http.get("/sandbox/otp?verificationId=\(id)")
            let expected = SandboxStats(tokenFetches: 2, sends: 2, validations: 1, total: 5)
            #expect(sandbox.stats == expected)
            let response = try await http.get("/sandbox/stats")
            let json = try #require(response.json)
            #expect(isNumber(json["tokenFetches"], 2))
            #expect(isNumber(json["sends"], 2))
            #expect(isNumber(json["validations"], 1))
            #expect(isNumber(json["total"], 5))
        }
    }

    @Test func resetForgetsStateButKeepsTokens() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token)
            sandbox.setPassword("other")
            sandbox.inject(.internalServerError, count: 5)
            sandbox.setLatency(.seconds(30))
            sandbox.advanceClock(by: .seconds(30))
            try await http.post("/sandbox/reset").expectOK()
            #expect(sandbox.stats == SandboxStats())
            #expect(sandbox.lastCode(verificationId: id) == nil)
            // No 506 any more, no fault, no latency, and the same token still works.
            let start = ContinuousClock.now
            #expect(try await http.send(token: token).numericResponseCode == 200)
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(try await http.tokenResponse(password: "sandbox").json?["token"] is String)
            sandbox.reset()
            #expect(sandbox.stats == SandboxStats())
        }
    }

    @Test func controlPathsAnswer405ForWrongMethodsAnd404ForUnknownOnes() async throws {
        try await withRawSandbox { sandbox, http in
            let getReset = try await http.get("/sandbox/reset")
            #expect(getReset.status == 405)
            let postStats = try await http.post("/sandbox/stats")
            #expect(postStats.status == 405)
            let unknown = try await http.get("/sandbox/nothing")
            #expect(unknown.status == 404)
            let badStep = try await http.post("/sandbox/clock/advance?by=soon")
            #expect(badStep.status == 400)
            #expect(sandbox.stats.total == 0, "control calls are not provider calls")
        }
    }

    @Test("durations in control parameters follow the commands' table: accepted, or 400 quoting the value and the rule")
    func durationParameters() async throws {
        try await withRawSandbox { _, http in
            for (text, _) in DurationExamples.accepted {
                let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
                #expect(try await http.post("/sandbox/latency?delay=\(encoded)").status == 200, "delay=\(text)")
                #expect(try await http.post("/sandbox/clock/advance?by=\(encoded)").status == 200, "by=\(text)")
            }
            for text in DurationExamples.refused {
                let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
                let refused = try await http.post("/sandbox/clock/advance?by=\(encoded)")
                #expect(refused.status == 400, "by=\(text)")
                let message = refused.json?["error"] as? String ?? ""
                #expect(message.hasPrefix("by: '\(text)' is not a duration") && message.contains("a whole number with a unit ms, s, m or h"),
                        "by=\(text): \(message)")
            }
        }
    }
}
