/// Where the provider is, read once from the base URL: the scheme decides TLS, the host and
/// port where to connect, and the path prefix goes before every request path.
struct HTTPOrigin: Sendable, Equatable {
    var useTLS: Bool
    var host: String
    var port: Int
    /// Empty, or starting with `/` and without a trailing one.
    var pathPrefix: String

    /// The `Host` header: the port only when it is not the scheme's default.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (useTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    /// Whether the host is an IP literal, which TLS cannot name in SNI.
    var hostIsIPAddress: Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    /// Parses `http://host[:port][/prefix]` or `https://...`.
    /// - Throws: ``TransportError/invalidBaseURL(_:)`` naming what is wrong (never the URL's
    ///   user part, which is refused).
    init(baseURL: String) throws(TransportError) {
        let lowered = baseURL.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            useTLS = true
            rest = baseURL.dropFirst("https://".count)
        } else if lowered.hasPrefix("http://") {
            useTLS = false
            rest = baseURL.dropFirst("http://".count)
        } else {
            throw .invalidBaseURL("the scheme must be http:// or https://")
        }
        guard !rest.contains(where: { $0 == "?" || $0 == "#" }) else {
            throw .invalidBaseURL("a query or fragment has no place in a base URL")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { throw .invalidBaseURL("user information has no place in a base URL") }
        var prefix = Substring(rest[authorityEnd...])
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        pathPrefix = String(prefix)

        let defaultPort = useTLS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidBaseURL("an IPv6 address lacks its closing ']'") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else if after.hasPrefix(":") {
                port = try Self.port(after.dropFirst())
            } else {
                throw .invalidBaseURL("unexpected text after the IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty else { throw .invalidBaseURL("the host is empty") }
        guard !host.contains(where: { $0 == " " || $0 == "%" }) else { throw .invalidBaseURL("the host holds a space or '%'") }
    }

    private static func port(_ text: Substring) throws(TransportError) -> Int {
        guard let port = Int(text), (1...65_535).contains(port) else {
            throw .invalidBaseURL("the port must be a number from 1 to 65535")
        }
        return port
    }
}
