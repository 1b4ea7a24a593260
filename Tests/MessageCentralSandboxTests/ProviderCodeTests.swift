import Foundation
import MessageCentralSandbox
import NIOHTTP1
import Testing

/// Every code of the document's table (and 401, 405) produced on purpose,
/// with the HTTP status the sandbox documents for it.
@Suite(.timeLimit(.minutes(1)))
struct ProviderCodeTests {
    @Test(arguments: [
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS",  // mobileNumber missing
        "&countryCode=91&customerId=C-SANDBOX&mobileNumber=9999999999",  // flowType missing
        "&countryCode=91&flowType=SMS&mobileNumber=9999999999",  // customerId missing
        "&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999",  // countryCode missing
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=99a9999999",
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=%2B919999999999",
        "&countryCode=91&customerId=C-SANDBOX&flowType=EMAIL&mobileNumber=9999999999",
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999&otpLength=3",
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999&otpLength=9",
        "&countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999&otpLength=six",
    ])
    func sendWithBadParametersIs400(query: String) async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.post("/verification/v3/send?" + query, token: token)
            #expect(response.status == 400)
            #expect(response.numericResponseCode == 400)
            #expect(response.json?["message"] as? String == "BAD_REQUEST")
        }
    }

    @Test(arguments: [
        "/verification/v3/validateOtp?verificationId=123",
        "/verification/v3/validateOtp?code=1234",
        "/verification/v3/validateOtp?verificationId=abc&code=1234",
    ])
    func validateWithBadParametersIs400(path: String) async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.get(path, token: token)
            #expect(response.status == 400)
            #expect(response.numericResponseCode == 400)
        }
    }

    @Test func otpLengthIsHonouredAndDefaultsToFour() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let plain = try await http.sendOK(token: token, mobileNumber: "9000000004")
            #expect(sandbox.lastCode(verificationId: plain)?.count == 4)
            for length in 4...8 {
                let response = try await http.send(token: token, mobileNumber: "900000001\(length)", extra: "&otpLength=\(length)")
                let id = try #require(response.data?["verificationId"] as? String)
                let code = try #require(sandbox.lastCode(verificationId: id))
                #expect(code.count == length && code.allSatisfy(\.isNumber))
            }
        }
    }

    @Test func missingWrongAndRevokedTokensAre401() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let missing = try await http.post("/verification/v3/send?countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999")
            #expect(missing.status == 401)
            #expect(missing.numericResponseCode == 401)
            let forged = try await http.send(token: token + "x")
            #expect(forged.status == 401)
            let validateMissing = try await http.validate(token: nil, verificationID: "1", code: "1234")
            #expect(validateMissing.status == 401)
            sandbox.expireAllTokens()
            #expect(try await http.send(token: token).status == 401)
            #expect(try await http.validate(token: token, verificationID: "1", code: "1234").status == 401)
            let renewed = try await http.token()
            #expect(try await http.send(token: renewed).numericResponseCode == 200)
        }
    }

    @Test func expireTokensOverHTTP() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            #expect(try await http.post("/sandbox/tokens/expire").status == 200)
            #expect(try await http.send(token: token).status == 401)
        }
    }

    @Test func wrongMethodsAre405WithAllow() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let getSend = try await http.get("/verification/v3/send?countryCode=91&customerId=C-SANDBOX&flowType=SMS&mobileNumber=9999999999", token: token)
            #expect(getSend.status == 405)
            #expect(getSend.headers.first(name: "Allow") == "POST")
            let postValidate = try await http.post("/verification/v3/validateOtp?verificationId=1&code=1234", token: token)
            #expect(postValidate.status == 405)
            #expect(postValidate.headers.first(name: "Allow") == "GET")
            let postToken = try await http.post("/auth/v1/authentication/token?customerId=C-SANDBOX&key=c2FuZGJveA%3D%3D&scope=NEW")
            #expect(postToken.status == 405)
            #expect(postToken.json?["token"] == nil)
        }
    }

    @Test func sendForAnotherCustomerIs501() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.send(token: token, customerID: "C-SOMEONE-ELSE")
            #expect(response.status == 400, "5xx-range provider codes travel as HTTP 400")
            #expect(response.numericResponseCode == 501)
            #expect(response.json?["message"] as? String == "INVALID_CUSTOMER_ID")
        }
    }

    @Test func unknownVerificationIs505() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.validate(token: token, verificationID: "42", code: "1234")
            #expect(response.status == 400)
            #expect(response.numericResponseCode == 505)
        }
    }

    @Test func secondSendWhilePendingIs506AsHTTP400() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            _ = try await http.sendOK(token: token)
            let again = try await http.send(token: token)
            #expect(again.status == 400)
            #expect(again.numericResponseCode == 506)
            #expect(again.json?["message"] as? String == "REQUEST_ALREADY_EXISTS")
            let otherCountry = try await http.send(token: token, countryCode: "44")
            #expect(otherCountry.numericResponseCode == 200, "pending is per country and number")
        }
    }

    @Test(arguments: ["999", "0", "12345", "%2B91", "9a", "0091"])
    func badCountryCodeIs511(countryCode: String) async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.send(token: token, countryCode: countryCode)
            #expect(response.status == 400)
            #expect(response.numericResponseCode == 511)
            #expect(response.json?["message"] as? String == "INVALID_COUNTRY_CODE")
        }
    }

    @Test func wrongCodesAre702ThenTheVerificationFailsWith700() async throws {
        try await withRawSandbox(.init(port: 0, maxWrongAttempts: 3)) { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token)
            let code = try #require(sandbox.lastCode(verificationId: id))
            let wrong = code == "0000" ? "1111" : "0000"
            for attempt in 1...3 {
                let response = try await http.validate(token: token, verificationID: id, code: wrong)
                #expect(response.status == 200, "business codes travel as HTTP 200 (attempt \(attempt))")
                #expect(response.numericResponseCode == 702)
                #expect(response.data?["responseCode"] as? String == "702")
                #expect(response.data?["verificationStatus"] as? String != "VERIFICATION_COMPLETED")
            }
            let right = try await http.validate(token: token, verificationID: id, code: code)
            #expect(right.numericResponseCode == 700, "after three wrong codes even the right one fails")
            #expect(right.json?["message"] as? String == "VERIFICATION_FAILED")
            // A failed verification no longer blocks a new send.
            #expect(try await http.send(token: token).numericResponseCode == 200)
        }
    }

    @Test func secondValidationIs703() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token)
            let code = try #require(sandbox.lastCode(verificationId: id))
            #expect(try await http.validate(token: token, verificationID: id, code: code).numericResponseCode == 200)
            let replay = try await http.validate(token: token, verificationID: id, code: code)
            #expect(replay.status == 200)
            #expect(replay.numericResponseCode == 703)
            #expect(replay.json?["message"] as? String == "ALREADY_VERIFIED")
            #expect(replay.data?["responseCode"] as? String == "703")
        }
    }

    @Test func codeAfterTimeoutIs705() async throws {
        try await withRawSandbox(.init(port: 0, otpTimeout: .seconds(60))) { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token)
            let code = try #require(sandbox.lastCode(verificationId: id))
            sandbox.advanceClock(by: .seconds(61))
            let late = try await http.validate(token: token, verificationID: id, code: code)
            #expect(late.status == 200)
            #expect(late.numericResponseCode == 705)
            #expect(late.json?["message"] as? String == "VERIFICATION_EXPIRED")
            // The expired verification no longer blocks a send (no 506).
            #expect(try await http.send(token: token).numericResponseCode == 200)
        }
    }

    @Test func sendsBeyondTheLimitWithinTheWindowAre800() async throws {
        let configuration = SandboxConfiguration(port: 0, otpTimeout: .seconds(60), sendLimit: 2, sendWindow: .seconds(600))
        try await withRawSandbox(configuration) { _, http in
            let token = try await http.token()
            _ = try await http.sendOK(token: token)
            try await http.post("/sandbox/clock/advance?by=61s").expectOK()
            _ = try await http.sendOK(token: token)
            try await http.post("/sandbox/clock/advance?by=61s").expectOK()
            let limited = try await http.send(token: token)
            #expect(limited.status == 200)
            #expect(limited.numericResponseCode == 800)
            #expect(limited.json?["message"] as? String == "MAXIMUM_LIMIT_REACHED")
            #expect(try await http.send(token: token, mobileNumber: "9333333333").numericResponseCode == 200, "the limit is per number")
            try await http.post("/sandbox/clock/advance?by=600s").expectOK()
            #expect(try await http.send(token: token).numericResponseCode == 200, "the window slides")
        }
    }

    @Test func unknownPathIs404AndCounted() async throws {
        try await withRawSandbox { sandbox, http in
            let response = try await http.get("/verification/v2/send")
            #expect(response.status == 404)
            #expect(sandbox.stats.total == 1)
        }
    }
}

extension RawResponse {
    func expectOK(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 200, "\(body)", sourceLocation: sourceLocation)
    }
}
