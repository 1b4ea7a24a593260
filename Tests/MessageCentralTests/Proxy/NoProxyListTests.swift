import Testing

@testable import MessageCentral

@Suite("NO_PROXY matching")
struct NoProxyListTests {
    @Test("host names, domain suffixes, addresses, CIDR ranges, ports and *", arguments: [
        // Names and domains: with or without the leading dot, subdomains match, lookalikes do not.
        ("example.com", "example.com", 443, true),
        ("example.com", "api.example.com", 443, true),
        (".example.com", "api.example.com", 443, true),
        (".example.com", "example.com", 443, true),
        ("*.example.com", "api.example.com", 443, true),
        ("example.com", "badexample.com", 443, false),
        ("example.com", "example.com.evil.net", 443, false),
        ("Example.COM.", "API.example.com.", 443, true),
        ("cpaas.messagecentral.com", "messagecentral.com", 443, false),
        // Lists: commas, white space, empty entries.
        ("foo.internal, ,example.com", "example.com", 443, true),
        ("foo.internal example.com", "example.com", 443, true),
        ("foo.internal,bar.internal", "example.com", 443, false),
        ("", "example.com", 443, false),
        // Everything.
        ("*", "example.com", 443, true),
        ("foo.internal,*", "10.0.0.1", 80, true),
        // Ports.
        ("example.com:443", "example.com", 443, true),
        ("example.com:443", "example.com", 8443, false),
        (".example.com:8443", "api.example.com", 8443, true),
        ("10.0.0.1:8089", "10.0.0.1", 8089, true),
        ("10.0.0.1:8089", "10.0.0.1", 80, false),
        ("[::1]:8089", "::1", 8089, true),
        ("[::1]:8089", "::1", 8090, false),
        // Addresses, compared by value; names are not resolved.
        ("127.0.0.1", "127.0.0.1", 80, true),
        ("127.0.0.1", "127.0.0.2", 80, false),
        ("127.0.0.1", "localhost", 80, false),
        ("localhost", "127.0.0.1", 80, false),
        ("::1", "::1", 80, true),
        ("::1", "[::1]", 80, true),
        ("[::1]", "0:0:0:0:0:0:0:1", 80, true),
        ("::ffff:10.0.0.1", "::ffff:a00:1", 80, true),
        // CIDR ranges.
        ("10.0.0.0/8", "10.200.3.4", 443, true),
        ("10.0.0.0/8", "11.0.0.1", 443, false),
        ("192.168.1.0/25", "192.168.1.127", 443, true),
        ("192.168.1.0/25", "192.168.1.128", 443, false),
        ("0.0.0.0/0", "203.0.113.9", 443, true),
        ("fd00::/8", "fd12:3456::1", 443, true),
        ("fd00::/8", "fe80::1", 443, false),
        ("10.0.0.0/8", "::ffff:10.0.0.1", 443, false),
        ("10.0.0.0/8", "10.example.com", 443, false),
        // Entries no reader agrees on are ignored, not fatal.
        ("10.0.0.0/33, example.com:99999, exa*mple.com, fe80::1%eth0, :80", "example.com", 443, false),
        ("10.0.0.0/33, example.com", "example.com", 443, true),
    ])
    func matches(list: String, host: String, port: Int, expected: Bool) {
        #expect(NoProxyList(list).matches(host: host, port: port) == expected, "\(list) against \(host):\(port)")
    }

    @Test("an empty list matches nothing and says so")
    func empty() {
        #expect(NoProxyList().isEmpty)
        #expect(NoProxyList(" , ").isEmpty)
        #expect(!NoProxyList("a").isEmpty)
    }

    @Test("IP literals parse to their bytes", arguments: [
        ("10.1.2.3", [10, 1, 2, 3] as [UInt8]?),
        ("255.255.255.255", [255, 255, 255, 255]),
        ("256.1.1.1", nil),
        ("1.2.3", nil),
        ("01.2.3.4", [1, 2, 3, 4]),
        ("::", Array(repeating: 0, count: 16)),
        ("::1", Array(repeating: 0, count: 15) + [1]),
        ("2001:db8::ff00:42:8329", [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0, 0x42, 0x83, 0x29]),
        ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
        ("1:2:3:4:5:6:7:8:9", nil),
        ("1::2::3", nil),
        (":::1", nil),
        ("12345::1", nil),
        ("example.com", nil),
    ])
    func ipLiterals(text: String, bytes: [UInt8]?) {
        #expect(IPAddressLiteral.bytes(Substring(text)) == bytes)
    }
}
