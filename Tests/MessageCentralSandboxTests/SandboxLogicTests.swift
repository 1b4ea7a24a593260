import Foundation
import Testing

@testable import MessageCentralSandbox

/// Tokens, faults and request parsing: the other plain values.
@Suite(.timeLimit(.minutes(1)))
struct SandboxLogicTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func tokenIsValidUntilItsLifetimeEnds() throws {
        var tokens = TokenStore()
        let token = tokens.issue(subject: "C-SANDBOX", lifetime: .seconds(10), now: start)
        #expect(tokens.verdict(for: token, now: start.addingTimeInterval(9.999)) == .valid(subject: "C-SANDBOX"))
        #expect(tokens.verdict(for: token, now: start.addingTimeInterval(10)) == .expired)
        #expect(tokens.verdict(for: nil, now: start) == .missing)
        #expect(tokens.verdict(for: "", now: start) == .missing)
        #expect(tokens.verdict(for: token + "x", now: start) == .unknown)
        tokens.expireAll()
        #expect(tokens.verdict(for: token, now: start) == .unknown)
    }

    @Test func tokenPayloadCarriesSubjectIatAndExp() throws {
        let token = JWTShape.token(subject: #"C-"quoted""#, issuedAt: start, expiresAt: start.addingTimeInterval(90.7))
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let payload = try #require(decodeBase64URL(parts[1]))
        #expect(payload["sub"] as? String == #"C-"quoted""#)
        #expect(payload["iat"] as? Int == 1_700_000_000)
        #expect(payload["exp"] as? Int == 1_700_000_090, "exp rounds down, never past the real expiry")
    }

    @Test func issuingForgetsLongExpiredTokens() {
        var tokens = TokenStore()
        _ = tokens.issue(subject: "C", lifetime: .seconds(1), now: start)
        _ = tokens.issue(subject: "C", lifetime: .seconds(1), now: start.addingTimeInterval(5))
        #expect(tokens.count == 1)
    }

    @Test func faultsAreTakenFirstInFirstOutPerEndpoint() {
        var plan = FaultPlan()
        plan.inject(.hang, count: 1, endpoint: .send)
        plan.inject(.internalServerError, count: 2, endpoint: .all)
        plan.inject(.dropConnection, count: 0, endpoint: .all)
        #expect(plan.pendingCount == 3)
        #expect(plan.take(for: .token) == .internalServerError)
        #expect(plan.take(for: .send) == .hang)
        #expect(plan.take(for: .send) == .internalServerError)
        #expect(plan.take(for: .validate) == nil)
        #expect(plan.pendingCount == 0)
    }

    @Test func queryParsingMatchesAServletContainer() {
        let query = QueryParameters("&verificationId=2949&&code=1476&key=a%2Bb+c%3D&empty=&flag&verificationId=1")
        #expect(query["verificationId"] == "2949", "the first of repeated names wins")
        #expect(query["code"] == "1476")
        #expect(query["key"] == "a+b c=")
        #expect(query["empty"] == "")
        #expect(query.nonEmpty("empty") == nil)
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
        #expect(QueryParameters(nil)["code"] == nil)
        #expect(QueryParameters("bad=%zz%4")["bad"] == "%zz%4")
    }

    @Test func keysDecodeWithOrWithoutPadding() {
        #expect(SandboxState.decodeKey("c2FuZGJveA==") == Data("sandbox".utf8))
        #expect(SandboxState.decodeKey("c2FuZGJveA") == Data("sandbox".utf8))
        #expect(SandboxState.decodeKey("sandbox") != Data("sandbox".utf8))
        #expect(SandboxState.decodeKey("c2F-ZGJveA") == nil, "the URL-safe alphabet is not the basic one")
    }

    @Test(arguments: [
        ("1", true), ("91", true), ("44", true), ("971", true), ("1684", true), ("380", true),
        ("999", false), ("0", false), ("", false), ("+91", false), ("12345", false), ("1084", false), ("42", false),
    ])
    func countryCallingCodes(code: String, known: Bool) {
        #expect(CountryCallingCodes.isKnown(code) == known)
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "::1"])
    func loopbackHosts(host: String) {
        #expect(SandboxConfiguration.isLoopback(host))
    }

    @Test(arguments: ["0.0.0.0", "10.0.0.1", "127.0.0", "127.0.0.256", "128.0.0.1", "::", "localhost.example.com"])
    func nonLoopbackHosts(host: String) {
        #expect(!SandboxConfiguration.isLoopback(host))
    }

    @Test func reportedTimeoutRoundsUp() {
        #expect(Duration.seconds(60).wholeSecondsRoundedUp == 60)
        #expect(Duration.milliseconds(250).wholeSecondsRoundedUp == 1)
    }

    @Test func maskedPhoneShowsOnlyTheLastTwoDigits() {
        #expect(MaskedPhone(countryCode: "91", number: "9876543210").description == "+91********10")
        #expect(MaskedPhone(countryCode: "1", number: "123").description == "+1***")
    }

    @Test func jsonRendersExplicitNullsAndEscapes() {
        let value = JSONValue.object([("a", .null), ("b", .string("q\"\\\n\u{1}")), ("c", .number(-5)), ("d", .bool(false))])
        #expect(value.rendered == #"{"a":null,"b":"q\"\\\n\u0001","c":-5,"d":false}"#)
    }

    @Test func everyCodeHasDisplayTextAndAValidHTTPStatus() {
        for code in ProviderCode.allCases {
            #expect(!code.displayText.isEmpty)
            #expect((200...599).contains(code.httpStatus))
        }
        #expect(ProviderCode.requestAlreadyExists.httpStatus == 400)
        #expect(ProviderCode.wrongOTP.httpStatus == 200)
    }
}
