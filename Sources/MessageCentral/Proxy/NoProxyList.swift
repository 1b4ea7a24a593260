/// The hosts that bypass the proxy, from `NO_PROXY` or `no_proxy`, matched as curl does.
///
/// Entries are separated by commas or white space. An entry is:
/// - `*`: every host;
/// - a host name or domain: `example.com` and `.example.com` both match `example.com` and
///   every name under it (`api.example.com`), never `badexample.com`; a leading `*.` is read as
///   `.`; case and a trailing dot do not matter;
/// - an IP address (`10.1.2.3`, `::1`, `[::1]`), or a range in CIDR form (`10.0.0.0/8`,
///   `fd00::/8`), matching a host written as an address in the URL (names are never resolved
///   to check them, as curl does);
/// - any of these with `:port`, matching that port only (`[::1]:8443` for IPv6).
///
/// Entries that fit none of these are ignored rather than refused: the variable is shared by
/// every tool in the environment, and each reads it its own way.
public struct NoProxyList: Sendable, Equatable {
    enum Pattern: Sendable, Equatable {
        case everything
        /// A lower-case name without leading or trailing dots.
        case domain(String, port: Int?)
        /// An address's bytes (4 or 16) and how many leading bits must match.
        case addresses([UInt8], prefixLength: Int, port: Int?)
    }

    var patterns: [Pattern]

    /// Parses a `NO_PROXY` value; an empty one lists nothing.
    ///
    /// - Parameter text: Comma-separated entries.
    public init(_ text: String = "") {
        patterns = text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).compactMap(Self.pattern)
    }

    /// Whether nothing is listed.
    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether a connection to `host:port` bypasses the proxy.
    ///
    /// - Parameters:
    ///   - host: A host name or IP address as written in a URL (brackets around IPv6 allowed).
    ///   - port: The port connected to.
    public func matches(host: String, port: Int) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        while name.hasSuffix(".") { name = name.dropLast() }
        let address = IPAddressLiteral.bytes(name)
        return patterns.contains { pattern in
            switch pattern {
            case .everything:
                return true
            case .domain(let domain, let wanted):
                guard address == nil, wanted == nil || wanted == port else { return false }
                return name == domain || (name.hasSuffix(domain) && name.dropLast(domain.count).hasSuffix("."))
            case .addresses(let network, let prefixLength, let wanted):
                guard let address, wanted == nil || wanted == port else { return false }
                return IPAddressLiteral.address(address, isIn: network, prefixLength: prefixLength)
            }
        }
    }

    /// One entry's pattern, or nil for an entry that fits no form.
    private static func pattern(_ entry: Substring) -> Pattern? {
        var text = Substring(entry.lowercased())
        if text == "*" { return .everything }
        if text.hasPrefix("*.") { text = text.dropFirst() }

        var port: Int?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Self.port(after.dropFirst()) else { return nil }
                port = parsed
            }
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
            // One colon: a port. More than one without brackets: an IPv6 address.
            guard let parsed = Self.port(text[text.index(after: colon)...]) else { return nil }
            port = parsed
            text = text[..<colon]
        }

        if let slash = text.firstIndex(of: "/") {
            guard let network = IPAddressLiteral.bytes(text[..<slash]),
                  let bits = Int(text[text.index(after: slash)...]), (0...network.count * 8).contains(bits)
            else { return nil }
            return .addresses(network, prefixLength: bits, port: port)
        }
        if let address = IPAddressLiteral.bytes(text) {
            return .addresses(address, prefixLength: address.count * 8, port: port)
        }
        while text.hasPrefix(".") { text = text.dropFirst() }
        while text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, !text.contains(where: { $0 == "*" || $0 == "/" || $0 == ":" }) else { return nil }
        return .domain(String(text), port: port)
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDecimalDigit), let port = Int(text), (1...65_535).contains(port) else { return nil }
        return port
    }
}
