import Testing

@testable import MessageCentral

@Suite("Proxy URL parsing")
struct ProviderProxyURLTests {
    @Test("host, port and the default port of 1080, as curl", arguments: [
        ("http://proxy.internal:3128", "proxy.internal", 3128),
        ("proxy.internal:3128", "proxy.internal", 3128),
        ("proxy.internal", "proxy.internal", 1080),
        ("http://proxy.internal", "proxy.internal", 1080),
        ("HTTP://Proxy.Internal:8080/", "proxy.internal", 8080),
        ("http://10.0.0.1:3128/ignored/path?x", "10.0.0.1", 3128),
        ("http://[::1]:3128", "::1", 3128),
        ("[fd00::1]", "fd00::1", 1080),
        ("  http://proxy:3128\n", "proxy", 3128),
    ])
    func parses(url: String, host: String, port: Int) throws {
        let proxy = try ProviderProxy(url: url)
        #expect(proxy.host == host)
        #expect(proxy.port == port)
        #expect(proxy.credentials == nil)
    }

    @Test("credentials are percent-decoded", arguments: [
        ("http://user:p%40ss@proxy:3128", "user", "p@ss"),
        ("http://us%3Aer:a%2Fb%25c@proxy", "us:er", "a/b%c"),
        ("user:pass@proxy:3128", "user", "pass"),
        ("http://user@proxy", "user", ""),
        ("http://user:@proxy", "user", ""),
        ("http://user:p@ss@proxy", "user", "p@ss"),
        ("http://%C3%BCser:%E2%82%AC@proxy", "üser", "€"),
    ])
    func credentials(url: String, username: String, password: String) throws {
        let credentials = try #require(try ProviderProxy(url: url).credentials)
        #expect(credentials.username.revealed == username)
        #expect(credentials.password.revealed == password)
    }

    @Test("Proxy-Authorization is Basic over user:password in UTF-8")
    func basic() throws {
        let credentials = try #require(try ProviderProxy(url: "http://user:p%40ss@proxy").credentials)
        #expect(credentials.basicAuthorization.revealed == "Basic dXNlcjpwQHNz")
        #expect(ProxyCredentials(username: "Aladdin", password: "open sesame").basicAuthorization.revealed == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    @Test("unusable proxy URLs are refused with the reason, never with the URL", arguments: [
        ("socks5://user:topsecret@proxy:1080", "only http:// proxies are supported, not socks5://"),
        ("socks5h://proxy:1080", "not socks5h://"),
        ("socks4://proxy", "not socks4://"),
        ("https://user:topsecret@proxy:443", "not https://"),
        ("http://", "no host"),
        ("http://user:topsecret@:3128", "no host"),
        ("http://proxy:0", "port"),
        ("http://proxy:65536", "port"),
        ("http://proxy:http", "port"),
        ("http://proxy:+80", "port"),
        ("http://user:top%ZZsecret@proxy", "percent escape"),
        ("http://user:topsecret%@proxy", "percent escape"),
        ("http://[::1:3128", "IPv6"),
        ("http://[::1]x", "after the proxy's IPv6"),
        ("http://pro xy:3128", "space"),
        ("://topsecret@proxy", "not that scheme"),
    ])
    func refuses(url: String, reason: String) {
        #expect {
            _ = try ProviderProxy(url: url)
        } throws: { error in
            guard let error = error as? ProxyConfigurationError else { return false }
            return error.message.contains(reason) && !error.message.contains("topsecret")
        }
    }

    @Test("a proxy describes itself as http://host:port, and its credentials never show")
    func redaction() throws {
        let proxy = try ProviderProxy(url: "http://svc-user:hunter2-proxy@proxy.internal:3128")
        #expect("\(proxy)" == "http://proxy.internal:3128")
        #expect("\(ProviderProxy(host: "::1", port: 8080))" == "http://[::1]:8080")
        let configuration = MessageCentralConfiguration(customerID: "C-1", password: Secret("p"), proxy: proxy)
        for value in [proxy as Any, proxy.credentials as Any, configuration as Any, [proxy] as Any] {
            var dumped = ""
            dump(value, to: &dumped)
            for text in [String(describing: value), String(reflecting: value), dumped] {
                #expect(!text.contains("hunter2"), "leaked: \(text)")
                #expect(!text.contains("svc-user"), "leaked: \(text)")
                #expect(!text.contains(proxy.credentials!.basicAuthorization.revealed.dropFirst(6)), "leaked: \(text)")
            }
        }
    }
}
