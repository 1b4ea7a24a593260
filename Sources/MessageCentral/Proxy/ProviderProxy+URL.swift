/// Parsing a proxy URL as curl reads `--proxy` and `https_proxy`.
extension ProviderProxy {
    /// Parses `[http://][user[:password]@]host[:port][/...]`.
    ///
    /// A URL without a scheme is `http://`. The port defaults to ``defaultPort`` (1080, as
    /// curl). User name and password are percent-decoded (`p%40ss` is `p@ss`). A path is
    /// ignored, as curl does, so `http://proxy:3128/` works.
    ///
    /// - Parameters:
    ///   - url: The proxy URL.
    ///   - noProxy: Hosts that bypass the proxy.
    /// - Throws: ``ProxyConfigurationError`` for a scheme other than `http://` (the client
    ///   speaks plain HTTP to its proxy: no `https://` proxies, no SOCKS), no host, a port
    ///   outside 1 to 65535 or a bad percent escape. The message never quotes the URL.
    public init(url: String, noProxy: NoProxyList = NoProxyList()) throws(ProxyConfigurationError) {
        var rest = Substring(url.trimmingWhitespace())
        if let separator = rest.firstRange(of: "://") {
            let scheme = rest[..<separator.lowerBound].lowercased()
            guard scheme == "http" else {
                let shown = scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) && !scheme.isEmpty
                    ? "\(scheme)://" : "that scheme"
                throw ProxyConfigurationError("only http:// proxies are supported, not \(shown)")
            }
            rest = rest[separator.upperBound...]
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]

        var credentials: ProxyCredentials?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            guard let username = Self.percentDecoded(userInfo[..<(colon ?? userInfo.endIndex)]),
                  let password = Self.percentDecoded(colon.map { userInfo[userInfo.index(after: $0)...] } ?? "")
            else {
                throw ProxyConfigurationError("the proxy's user name or password holds a bad percent escape")
            }
            if !username.isEmpty || !password.isEmpty {
                credentials = ProxyCredentials(username: username, password: password)
            }
        }

        var host: String
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ProxyConfigurationError("the proxy's IPv6 address lacks its closing ']'")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else {
                throw ProxyConfigurationError("unexpected text after the proxy's IPv6 address")
            }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
            portText = nil
        }
        host = host.lowercased()
        guard !host.isEmpty else { throw ProxyConfigurationError("the proxy URL has no host") }
        guard host.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "%" && $0 != "\\" }) else {
            throw ProxyConfigurationError("the proxy's host holds a space, '%' or a character outside ASCII")
        }
        var port = Self.defaultPort
        if let portText {
            guard portText.allSatisfy(\.isASCIIDecimalDigit), let parsed = Int(portText), (1...65_535).contains(parsed) else {
                throw ProxyConfigurationError("the proxy port must be a number from 1 to 65535")
            }
            port = parsed
        }
        self.init(host: host, port: port, credentials: credentials, noProxy: noProxy)
    }

    /// Decodes `%XX` escapes; nil for a `%` not followed by two hex digits or bytes that are not
    /// UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    // The sandbox decodes query escapes with a helper of its own on purpose: it is written apart
    // from the client so that the two cannot share a mistake.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    /// `0` to `9`, and nothing else `isNumber` would accept.
    var isASCIIDecimalDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    /// Without leading and trailing white space and line breaks.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
