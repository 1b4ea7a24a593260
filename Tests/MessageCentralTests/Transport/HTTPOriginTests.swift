import Testing

@testable import MessageCentral

@Suite("Base URL parsing")
struct HTTPOriginTests {
    @Test("scheme, host, port and path prefix", arguments: [
        ("https://cpaas.messagecentral.com", true, "cpaas.messagecentral.com", 443, "", "cpaas.messagecentral.com"),
        ("HTTP://127.0.0.1:8089/", false, "127.0.0.1", 8089, "", "127.0.0.1:8089"),
        ("https://example.com:8443/mc/v3//", true, "example.com", 8443, "/mc/v3", "example.com:8443"),
        ("http://[::1]:9000", false, "::1", 9000, "", "[::1]:9000"),
        ("http://localhost:80/x", false, "localhost", 80, "/x", "localhost"),
    ])
    func parses(url: String, tls: Bool, host: String, port: Int, prefix: String, hostHeader: String) throws {
        let origin = try HTTPOrigin(baseURL: url)
        #expect(origin.useTLS == tls)
        #expect(origin.host == host)
        #expect(origin.port == port)
        #expect(origin.pathPrefix == prefix)
        #expect(origin.hostHeader == hostHeader)
    }

    @Test("unusable base URLs are refused with the reason", arguments: [
        ("cpaas.messagecentral.com", "scheme"),
        ("ftp://example.com", "scheme"),
        ("https://", "host is empty"),
        ("https://example.com:0", "port"),
        ("https://example.com:99999", "port"),
        ("https://example.com:https", "port"),
        ("https://user:secret@example.com", "user information"),
        ("https://example.com/?key=1", "query"),
        ("http://[::1", "IPv6"),
        ("http://exa mple.com", "space"),
    ])
    func refuses(url: String, reason: String) {
        #expect {
            _ = try HTTPOrigin(baseURL: url)
        } throws: { error in
            guard case .invalidBaseURL(let why) = error as? TransportError else { return false }
            return why.contains(reason) && !why.contains("secret")
        }
    }

    @Test("IP literals are told apart from names, for SNI")
    func ipLiterals() throws {
        #expect(try HTTPOrigin(baseURL: "https://10.0.0.1").hostIsIPAddress)
        #expect(try HTTPOrigin(baseURL: "https://[2001:db8::1]").hostIsIPAddress)
        #expect(try !HTTPOrigin(baseURL: "https://cpaas.messagecentral.com").hostIsIPAddress)
    }
}
