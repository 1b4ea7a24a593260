import Foundation
import Testing

@testable import MessageCentral

@Suite("Query encoding", .timeLimit(.minutes(1)))
struct QueryStringTests {
    @Test("+, / and = of a Base64 key are percent-encoded")
    func base64Characters() {
        #expect(QueryString.encode("a+b/c=") == "a%2Bb%2Fc%3D")
    }

    @Test("unreserved characters pass; everything else is encoded as UTF-8")
    func unreserved() {
        #expect(QueryString.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(QueryString.encode("test@messagecentral.com") == "test%40messagecentral.com")
        #expect(QueryString.encode("a b&c?d#e%") == "a%20b%26c%3Fd%23e%25")
        #expect(QueryString.encode("é") == "%C3%A9")
    }

    @Test("the key is Base64 of the password and survives a round trip through the query")
    func keyRoundTrip() throws {
        // This password's Base64 holds '+', '/' and '='.
        let password = "p>?~sw\u{FF}rd"
        let configuration = MessageCentralConfiguration(customerID: "C-1", password: Secret(password))
        let key = configuration.key.revealed
        #expect(key == Data(password.utf8).base64EncodedString())
        #expect(key.contains("+") || key.contains("/"))
        #expect(key.hasSuffix("="))
        let target = QueryString.target(path: "/p", [("customerId", "C-1"), ("key", key), ("scope", "NEW")])
        #expect(!target.dropFirst(3).contains("+") && !target.dropFirst(3).contains("/"))
        let components = try #require(URLComponents(string: "https://h" + target))
        let decodedKey = components.queryItems?.first { $0.name == "key" }?.value
        #expect(decodedKey == key)
        #expect(Data(base64Encoded: try #require(decodedKey)).map { String(decoding: $0, as: UTF8.self) } == password)
    }

    @Test("pairs keep their order and base URLs lose trailing slashes")
    func order() {
        #expect(QueryString.target(path: "/p", [("b", "1"), ("a", "2")]) == "/p?b=1&a=2")
        let configuration = MessageCentralConfiguration(baseURL: "http://127.0.0.1:8089//", customerID: "C", password: Secret("p"))
        #expect(configuration.trimmedBaseURL == "http://127.0.0.1:8089")
    }

    @Test("a request target is the path, a question mark and the encoded pairs")
    func target() {
        #expect(QueryString.target(path: "/verification/v3/send", [("countryCode", "91"), ("key", "a+b=")])
            == "/verification/v3/send?countryCode=91&key=a%2Bb%3D")
        #expect(QueryString.target(path: "/p", []) == "/p?")
        #expect(QueryString.target(path: "/p", [("é", "x y")]) == "/p?%C3%A9=x%20y")
    }
}
