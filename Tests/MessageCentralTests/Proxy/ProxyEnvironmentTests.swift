import Testing

@testable import MessageCentral

private let httpsProvider = "https://cpaas.messagecentral.com"
private let httpProvider = "http://sandbox.internal:8089"

@Suite("Proxy settings from the flag and the environment")
struct ProxyEnvironmentTests {
    @Test("which flag or variable names the proxy, as curl reads them", arguments: [
        // The flag wins over every variable.
        (httpsProvider, "flag:1", ["https_proxy": "env:2", "HTTPS_PROXY": "env:3", "all_proxy": "env:4"], "--provider-proxy", "flag", 1),
        // https: lower case first, then upper case, then all_proxy, ALL_PROXY.
        (httpsProvider, nil, ["https_proxy": "lower:1", "HTTPS_PROXY": "upper:2"], "https_proxy", "lower", 1),
        (httpsProvider, nil, ["HTTPS_PROXY": "upper:2", "all_proxy": "all:3"], "HTTPS_PROXY", "upper", 2),
        (httpsProvider, nil, ["http_proxy": "wrong:1", "all_proxy": "all:3", "ALL_PROXY": "ALL:4"], "all_proxy", "all", 3),
        (httpsProvider, nil, ["http_proxy": "wrong:1", "ALL_PROXY": "ALL:4"], "ALL_PROXY", "all", 4),
        // http: http_proxy only, never HTTP_PROXY (httpoxy), then the all_proxy pair.
        (httpProvider, nil, ["http_proxy": "lower:1", "https_proxy": "wrong:2"], "http_proxy", "lower", 1),
        (httpProvider, nil, ["HTTP_PROXY": "upper:1", "all_proxy": "all:3"], "all_proxy", "all", 3),
        // An empty variable counts as unset.
        (httpsProvider, nil, ["https_proxy": "", "HTTPS_PROXY": " ", "all_proxy": "all:3"], "all_proxy", "all", 3),
    ] as [(String, String?, [String: String], String, String, Int)])
    func precedence(baseURL: String, flag: String?, environment: [String: String], source: String, host: String, port: Int) throws {
        let resolved = try #require(try ProviderProxy.resolve(flag: flag, environment: environment, baseURL: baseURL))
        #expect(resolved.source == source)
        #expect(resolved.proxy.host == host)
        #expect(resolved.proxy.port == port)
    }

    @Test("no proxy: nothing set, only HTTP_PROXY for an http provider, or an empty flag over the environment", arguments: [
        (httpsProvider, nil, [:]),
        (httpsProvider, nil, ["http_proxy": "p:1"]),
        (httpProvider, nil, ["HTTP_PROXY": "p:1", "HTTPS_PROXY": "p:2"]),
        (httpsProvider, "", ["https_proxy": "p:1", "all_proxy": "p:2"]),
        (httpsProvider, "  ", ["https_proxy": "p:1"]),
    ] as [(String, String?, [String: String])])
    func none(baseURL: String, flag: String?, environment: [String: String]) throws {
        #expect(try ProviderProxy.resolve(flag: flag, environment: environment, baseURL: baseURL) == nil)
    }

    @Test("no_proxy wins over NO_PROXY, and applies to the flag too")
    func noProxy() throws {
        let both = try #require(try ProviderProxy.resolve(
            flag: "proxy:3128", environment: ["no_proxy": ".messagecentral.com", "NO_PROXY": "other.example"], baseURL: httpsProvider))
        #expect(both.proxy.bypasses(baseURL: httpsProvider))
        #expect(both.proxy.noProxy == NoProxyList(".messagecentral.com"))
        let upper = try #require(try ProviderProxy.resolve(flag: nil, environment: ["https_proxy": "proxy:3128", "NO_PROXY": "*"], baseURL: httpsProvider))
        #expect(upper.proxy.bypasses(baseURL: httpsProvider))
        let none = try #require(try ProviderProxy.resolve(flag: nil, environment: ["https_proxy": "proxy:3128"], baseURL: httpsProvider))
        #expect(!none.proxy.bypasses(baseURL: httpsProvider))
        #expect(none.proxy.noProxy.isEmpty)
    }

    @Test("credentials come through, percent-decoded")
    func credentials() throws {
        let resolved = try #require(try ProviderProxy.resolve(
            flag: nil, environment: ["HTTPS_PROXY": "http://svc:s%3Acret@proxy.internal:3128"], baseURL: httpsProvider))
        #expect(resolved.proxy.credentials == ProxyCredentials(username: "svc", password: "s:cret"))
        #expect("\(resolved.proxy)" == "http://proxy.internal:3128")
    }

    @Test("an unusable proxy stops the start, naming where it came from and never the URL", arguments: [
        (nil, ["all_proxy": "socks5://u:topsecret@proxy:1080"], "all_proxy: only http:// proxies are supported, not socks5://"),
        (nil, ["https_proxy": "https://proxy:443"], "https_proxy: only http:// proxies are supported, not https://"),
        (nil, ["HTTPS_PROXY": "http://u:topsecret@proxy:99999"], "HTTPS_PROXY: the proxy port must be"),
        ("socks5h://proxy", [:], "--provider-proxy: only http:// proxies are supported, not socks5h://"),
        // The variable read first decides, even when a later one would do.
        (nil, ["https_proxy": "socks5://proxy", "HTTPS_PROXY": "http://proxy:3128"], "https_proxy: only http://"),
    ] as [(String?, [String: String], String)])
    func refuses(flag: String?, environment: [String: String], message: String) {
        #expect {
            _ = try ProviderProxy.resolve(flag: flag, environment: environment, baseURL: httpsProvider)
        } throws: { error in
            guard let error = error as? ProxyConfigurationError else { return false }
            return error.message.hasPrefix(message) && !error.message.contains("topsecret")
        }
    }
}
