/// The HTTP proxy that connections to the provider go through, as curl uses one: a `CONNECT`
/// tunnel for an `https` provider (TLS still runs end to end with the provider, verified
/// against the provider's host name), absolute-form requests for an `http` one.
///
/// Read once at the edge, from `--provider-proxy` or the environment
/// (``resolve(flag:environment:baseURL:)``), and passed in through
/// ``MessageCentralConfiguration/proxy``.
///
/// Describing a proxy shows `http://host:port` only: the credentials are a
/// ``ProxyCredentials``, redacted wherever it is described, dumped or reflected.
public struct ProviderProxy: Sendable, Equatable {
    /// The port of a proxy URL that names none: 1080, as curl assumes.
    public static let defaultPort = 1080

    /// The proxy's host name or IP address (an IPv6 address without brackets).
    public var host: String
    /// The proxy's TCP port.
    public var port: Int
    /// The user name and password sent as `Proxy-Authorization: Basic ...`, if any.
    public var credentials: ProxyCredentials?
    /// Hosts reached directly, without the proxy (`NO_PROXY`).
    public var noProxy: NoProxyList

    /// Creates a proxy setting.
    ///
    /// - Parameters:
    ///   - host: The proxy's host name or IP address, IPv6 without brackets.
    ///   - port: The proxy's port, 1 to 65535.
    ///   - credentials: Sent to the proxy on every `CONNECT` and absolute-form request.
    ///   - noProxy: Hosts that bypass the proxy; none by default.
    public init(
        host: String, port: Int = ProviderProxy.defaultPort, credentials: ProxyCredentials? = nil, noProxy: NoProxyList = NoProxyList()
    ) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.noProxy = noProxy
    }

    /// Whether a connection to `host:port` goes around the proxy, because ``noProxy`` lists it.
    ///
    /// - Parameters:
    ///   - host: A host name or IP address, as in a URL (brackets around IPv6 are allowed).
    ///   - port: The port connected to.
    public func bypasses(host: String, port: Int) -> Bool {
        noProxy.matches(host: host, port: port)
    }

    /// Whether the provider at `baseURL` is reached directly, because ``noProxy`` lists its host.
    /// False for a base URL that cannot be parsed (the client refuses it anyway).
    ///
    /// - Parameter baseURL: The provider's base URL, as in ``MessageCentralConfiguration/baseURL``.
    public func bypasses(baseURL: String) -> Bool {
        guard let origin = try? HTTPOrigin(baseURL: baseURL) else { return false }
        return bypasses(host: origin.host, port: origin.port)
    }

    /// The `host:port` form, IPv6 in brackets, as a `CONNECT` target and in descriptions.
    static func authority(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension ProviderProxy: CustomStringConvertible {
    /// `http://host:port`: never the credentials, so that a log line may show the proxy.
    public var description: String { "http://\(Self.authority(host: host, port: port))" }
}
