/// Choosing the proxy from a flag and the environment, as curl reads the environment.
extension ProviderProxy {
    /// The name of the flag, as ``resolve(flag:environment:baseURL:)`` reports it.
    public static let flagName = "--provider-proxy"

    /// Picks the proxy for the provider at `baseURL`: the flag, else the environment as curl
    /// reads it.
    ///
    /// - For an `https` provider, `https_proxy`, then `HTTPS_PROXY`.
    /// - For an `http` provider, `http_proxy` only. The upper-case `HTTP_PROXY` is not read,
    ///   as curl does not: a CGI-style server puts a request's `Proxy:` header into
    ///   `HTTP_PROXY`, so whoever sends a request could choose the proxy ("httpoxy").
    /// - Then `all_proxy`, then `ALL_PROXY`.
    /// - `no_proxy`, else `NO_PROXY`, lists hosts that bypass the proxy, whichever way it was
    ///   chosen (curl applies it to `--proxy` too).
    ///
    /// A lower-case variable wins over its upper-case twin, as in curl. An empty variable counts
    /// as unset; an empty (or blank) flag turns the proxy off whatever the environment says,
    /// like curl's `--proxy ""`.
    ///
    /// - Parameters:
    ///   - flag: `--provider-proxy`'s value, or nil when the flag was not given.
    ///   - environment: The process environment, read once at the edge.
    ///   - baseURL: The provider's base URL; its scheme picks the variable.
    /// - Returns: The proxy and the flag or variable it came from, or nil for none.
    /// - Throws: ``ProxyConfigurationError`` naming the flag or variable whose URL cannot be
    ///   used (a `socks5://` proxy, a bad port).
    public static func resolve(
        flag: String?, environment: [String: String], baseURL: String
    ) throws(ProxyConfigurationError) -> (proxy: ProviderProxy, source: String)? {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        }
        let noProxy = NoProxyList(value("no_proxy") ?? value("NO_PROXY") ?? "")
        let chosen: (url: String, source: String)
        if let flag {
            guard !flag.trimmingWhitespace().isEmpty else { return nil }
            chosen = (flag, flagName)
        } else {
            guard let found = variableNames(baseURL: baseURL).lazy.compactMap({ name in value(name).map { ($0, name) } }).first else {
                return nil
            }
            chosen = found
        }
        do {
            return (try ProviderProxy(url: chosen.url, noProxy: noProxy), chosen.source)
        } catch {
            throw ProxyConfigurationError("\(chosen.source): \(error.message)")
        }
    }

    /// The variables that may name the proxy for `baseURL`, in the order they are read.
    static func variableNames(baseURL: String) -> [String] {
        let scheme = baseURL.lowercased()
        let own: [String]
        if scheme.hasPrefix("https://") {
            own = ["https_proxy", "HTTPS_PROXY"]
        } else if scheme.hasPrefix("http://") {
            own = ["http_proxy"]
        } else {
            own = []
        }
        return own + ["all_proxy", "ALL_PROXY"]
    }
}
