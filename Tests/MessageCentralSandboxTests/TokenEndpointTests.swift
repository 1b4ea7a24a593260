import Foundation
import MessageCentralSandbox
import Testing

/// The token endpoint's refusals, including the live quirk of HTTP 200 without a token.
@Suite(.timeLimit(.minutes(1)))
struct TokenEndpointTests {
    @Test func wrongKeyIsHTTP200WithStatus400AndNoToken() async throws {
        try await withRawSandbox { _, http in
            for key in [RawHTTP.key("wrong"), "sandbox", "!!!"] {
                let response = try await http.get("/auth/v1/authentication/token?customerId=C-SANDBOX&key=\(key)&scope=NEW")
                #expect(response.status == 200, "key \(key)")
                let json = try #require(response.json)
                #expect(isNumber(json["status"], 400), "key \(key)")
                #expect(json["token"] == nil, "key \(key)")
            }
        }
    }

    @Test func unknownCustomerIsHTTP200WithStatus501AndNoToken() async throws {
        try await withRawSandbox { _, http in
            let response = try await http.tokenResponse(customerID: "C-SOMEONE-ELSE")
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(isNumber(json["status"], 501))
            #expect(json["message"] as? String == "INVALID_CUSTOMER_ID")
            #expect(json["token"] == nil)
        }
    }

    @Test(arguments: [
        "/auth/v1/authentication/token?customerId=C-SANDBOX&scope=NEW",
        "/auth/v1/authentication/token?key=c2FuZGJveA%3D%3D&scope=NEW",
        "/auth/v1/authentication/token?customerId=C-SANDBOX&key=&scope=NEW",
        "/auth/v1/authentication/token?customerId=C-SANDBOX&key=c2FuZGJveA%3D%3D&scope=OLD",
    ])
    func missingOrBadParametersAre400(path: String) async throws {
        try await withRawSandbox { _, http in
            let response = try await http.get(path)
            #expect(response.status == 400)
            #expect(isNumber(response.json?["status"], 400))
            #expect(response.json?["token"] == nil)
        }
    }

    @Test func unencodedPlusInKeyDecodesAsSpaceLikeTomcat() async throws {
        // "??>" encodes to "Pz8+": sent raw, the '+' becomes a space and the key is wrong.
        try await withRawSandbox(.init(port: 0, password: "??>")) { _, http in
            let raw = try await http.get("/auth/v1/authentication/token?customerId=C-SANDBOX&key=Pz8+&scope=NEW")
            #expect(raw.json?["token"] == nil)
            let encoded = try await http.get("/auth/v1/authentication/token?customerId=C-SANDBOX&key=Pz8%2B&scope=NEW")
            #expect(encoded.json?["token"] is String)
        }
    }

    @Test func passwordChangeRefusesOldKeyButKeepsIssuedTokens() async throws {
        try await withRawSandbox { sandbox, http in
            let before = try await http.token()
            sandbox.setPassword("rotated")
            let old = try await http.tokenResponse(password: "sandbox")
            #expect(old.status == 200)
            #expect(isNumber(old.json?["status"], 400))
            #expect(old.json?["token"] == nil)
            let after = try await http.tokenResponse(password: "rotated")
            #expect(after.json?["token"] is String)
            let send = try await http.send(token: before)
            #expect(send.numericResponseCode == 200, "a token issued before the rotation stays valid")
        }
    }

    @Test func passwordChangeOverHTTP() async throws {
        try await withRawSandbox { _, http in
            let changed = try await http.post("/sandbox/password", body: "s3cret")
            #expect(changed.status == 200)
            #expect(try await http.tokenResponse(password: "sandbox").json?["token"] == nil)
            #expect(try await http.tokenResponse(password: "s3cret").json?["token"] is String)
            let empty = try await http.post("/sandbox/password", body: "")
            #expect(empty.status == 400)
        }
    }

    @Test func tokenExpiresAfterItsLifetime() async throws {
        let lifetime = Duration.milliseconds(400)
        try await withRawSandbox(.init(port: 0, tokenLifetime: lifetime)) { _, http in
            let issuedBefore = ContinuousClock.now
            let token = try await http.token()
            // The sandbox issued the token before this instant, so it expires at or before this plus the lifetime.
            let received = ContinuousClock.now
            let fresh = try await http.send(token: token)
            // Guard against a slow machine: the first call only proves validity if it ran within the lifetime.
            if ContinuousClock.now < issuedBefore + lifetime {
                #expect(fresh.numericResponseCode == 200)
            }
            // Waiting for the lifetime to pass is the condition under test, not a stand-in for one.
            try await Task.sleep(until: received + lifetime + .milliseconds(20))
            let expired = try await http.send(token: token, mobileNumber: "9111111111")
            #expect(expired.status == 401)
            #expect(expired.numericResponseCode == 401)
        }
    }

    @Test func tokenExpiresWhenTheClockPassesItsExp() async throws {
        try await withRawSandbox(.init(port: 0, tokenLifetime: .seconds(3600))) { sandbox, http in
            let token = try await http.token()
            sandbox.advanceClock(by: .seconds(3599))
            #expect(try await http.send(token: token).numericResponseCode == 200)
            sandbox.advanceClock(by: .seconds(2))
            #expect(try await http.send(token: token, mobileNumber: "9222222222").status == 401)
        }
    }
}
