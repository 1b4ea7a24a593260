/// How connections reach the provider's origin: directly, through a proxy's `CONNECT` tunnel
/// (an `https` origin: TLS runs inside the tunnel, end to end with the origin), or as
/// absolute-form requests to the proxy (an `http` origin), as curl does.
enum ProxyRoute: Sendable, Equatable {
    case direct
    case tunnel(through: ProviderProxy)
    case forward(through: ProviderProxy)

    /// The route to `origin`: direct without a proxy or when its `NO_PROXY` list names the
    /// origin's host.
    init(origin: HTTPOrigin, proxy: ProviderProxy?) {
        guard let proxy, !proxy.bypasses(host: origin.host, port: origin.port) else {
            self = .direct
            return
        }
        self = origin.useTLS ? .tunnel(through: proxy) : .forward(through: proxy)
    }

    /// Where TCP connects: the proxy, or the origin itself.
    func connectTarget(_ origin: HTTPOrigin) -> (host: String, port: Int) {
        switch self {
        case .direct: (origin.host, origin.port)
        case .tunnel(let proxy), .forward(let proxy): (proxy.host, proxy.port)
        }
    }

    /// What goes before a request's path in its request line: the origin's path prefix, and
    /// for a forwarding proxy the scheme and authority too (absolute form, RFC 9112 §3.2.2).
    func requestPrefix(_ origin: HTTPOrigin) -> String {
        switch self {
        case .direct, .tunnel: origin.pathPrefix
        case .forward: "http://\(origin.hostHeader)\(origin.pathPrefix)"
        }
    }

    /// The `Proxy-Authorization` value every request carries: only a forwarding proxy reads
    /// requests (a tunnel's requests are inside TLS, and its `CONNECT` carries its own).
    var requestAuthorization: Secret<String>? {
        guard case .forward(let proxy) = self else { return nil }
        return proxy.credentials?.basicAuthorization
    }
}
