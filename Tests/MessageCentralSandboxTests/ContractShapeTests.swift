import Foundation
import MessageCentralSandbox
import Testing

/// The three endpoints answer exactly the shapes the document shows: field
/// names (`verficationId` included), JSON types, and explicit nulls.
@Suite(.timeLimit(.minutes(1)))
struct ContractShapeTests {
    @Test func tokenAnswerIsStatusNumberAndJWTShapedToken() async throws {
        try await withRawSandbox(.init(port: 0, tokenLifetime: .seconds(3600))) { _, http in
            let response = try await http.tokenResponse()
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(Set(json.keys) == ["status", "token"])
            #expect(isNumber(json["status"], 200))
            let token = try #require(json["token"] as? String)
            let parts = token.split(separator: ".").map(String.init)
            try #require(parts.count == 3)
            #expect(parts[0] == "eyJhbGciOiJIUzUxMiJ9", "header is {\"alg\":\"HS512\"} as in the document")
            #expect(parts.allSatisfy { !$0.contains("=") && !$0.contains("+") && !$0.contains("/") }, "base64url without padding")
            let payload = try #require(decodeBase64URL(parts[1]))
            #expect(payload["sub"] as? String == "C-SANDBOX")
            let iat = try #require(payload["iat"] as? Int)
            let exp = try #require(payload["exp"] as? Int)
            #expect(exp - iat == 3600)
            #expect(abs(Double(iat) - Date().timeIntervalSince1970) < 60)
        }
    }

    @Test func tokenAcceptsTheDocumentsOptionalParameters() async throws {
        try await withRawSandbox { _, http in
            let key = RawHTTP.key("sandbox")
            let response = try await http.get(
                "/auth/v1/authentication/token?customerId=C-SANDBOX&key=\(key)&scope=NEW&country=91&email=test%40messagecentral.com"
            )
            #expect(response.status == 200)
            #expect(response.json?["token"] is String)
            // scope is optional; Java's decoder also takes the key without padding.
            let bare = try await http.get("/auth/v1/authentication/token?customerId=C-SANDBOX&key=c2FuZGJveA")
            #expect(bare.json?["token"] is String)
        }
    }

    @Test func sendAnswerHasNumericTopCodeAndStringDataCodes() async throws {
        try await withRawSandbox(.init(port: 0, otpTimeout: .seconds(60))) { _, http in
            let token = try await http.token()
            let response = try await http.send(token: token, mobileNumber: "9876543210")
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(Set(json.keys) == ["responseCode", "message", "data"])
            #expect(isNumber(json["responseCode"], 200))
            #expect(json["message"] as? String == "SUCCESS")
            let data = try #require(response.data)
            #expect(Set(data.keys) == ["verificationId", "mobileNumber", "responseCode", "errorMessage", "timeout", "smCLI", "transactionId"])
            let id = try #require(data["verificationId"] as? String, "verificationId is a string in the send answer")
            #expect(!id.isEmpty && id.allSatisfy(\.isNumber))
            #expect(data["mobileNumber"] as? String == "9876543210")
            #expect(data["responseCode"] as? String == "200")
            #expect(data["errorMessage"] is NSNull)
            #expect(data["timeout"] as? String == "60")
            #expect(data["smCLI"] is NSNull)
            #expect((data["transactionId"] as? String)?.isEmpty == false)
        }
    }

    @Test func validateAnswerSpellsVerficationId() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let id = try await http.sendOK(token: token)
            let code = try #require(sandbox.lastCode(verificationId: id))
            let response = try await http.validate(token: token, verificationID: id, code: code)
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(isNumber(json["responseCode"], 200))
            #expect(json["message"] as? String == "SUCCESS")
            let data = try #require(response.data)
            #expect(Set(data.keys) == [
                "verficationId", "mobileNumber", "responseCode", "errorMessage", "verificationStatus", "authToken", "transactionId",
            ])
            #expect(data["verificationId"] == nil)
            #expect(data["verficationId"] as? String == id)
            #expect(data["mobileNumber"] as? String == "9999999999")
            #expect(data["responseCode"] as? String == "200")
            #expect(data["errorMessage"] is NSNull)
            #expect(data["verificationStatus"] as? String == "VERIFICATION_COMPLETED")
            #expect(data["authToken"] is NSNull)
            #expect(data["transactionId"] is String)
        }
    }

    @Test func validateToleratesTrailingSlashAndLeadingAmpersand() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            let first = try await http.sendOK(token: token, mobileNumber: "9000000001")
            let second = try await http.sendOK(token: token, mobileNumber: "9000000002")
            let codeOne = try #require(sandbox.lastCode(verificationId: first))
            let codeTwo = try #require(sandbox.lastCode(verificationId: second))
            // Exactly the document's curl: `validateOtp?&verificationId=...`.
            let ampersand = try await http.get("/verification/v3/validateOtp?&verificationId=\(first)&code=\(codeOne)", token: token)
            #expect(ampersand.numericResponseCode == 200)
            let slash = try await http.get("/verification/v3/validateOtp/?verificationId=\(second)&code=\(codeTwo)", token: token)
            #expect(slash.numericResponseCode == 200)
        }
    }

    @Test func errorsCarryTheCodeAndDisplayText() async throws {
        try await withRawSandbox { _, http in
            let token = try await http.token()
            let response = try await http.validate(token: token, verificationID: "1", code: "0000")
            let json = try #require(response.json)
            #expect(Set(json.keys) == ["responseCode", "message", "data"])
            #expect(isNumber(json["responseCode"], 505))
            #expect(json["message"] as? String == "INVALID_VERIFICATION_ID")
        }
    }
}

/// Whether `value` is a JSON number (not a string) equal to `expected`.
func isNumber(_ value: Any?, _ expected: Int) -> Bool {
    guard let value, !(value is String) else { return false }
    return (value as? Int) == expected
}

/// Decodes one base64url JWT segment as a JSON object.
func decodeBase64URL(_ segment: String) -> [String: Any]? {
    var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}
