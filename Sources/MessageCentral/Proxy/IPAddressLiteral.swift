/// IPv4 and IPv6 addresses written as text, turned into their bytes so that `NO_PROXY` entries
/// compare by value (`::1` is `0:0:0:0:0:0:0:1`) and CIDR ranges can be checked.
enum IPAddressLiteral {
    /// 4 bytes for dotted IPv4 (`10.0.0.1`), 16 for IPv6 (`fd00::1`, `::ffff:10.0.0.1`); nil
    /// for anything else, host names and zoned addresses (`fe80::1%eth0`) included.
    static func bytes(_ text: Substring) -> [UInt8]? {
        text.contains(":") ? ipv6(text) : ipv4(text)
    }

    /// Whether the first `prefixLength` bits of `address` are those of `network`; addresses of
    /// the other family never are.
    static func address(_ address: [UInt8], isIn network: [UInt8], prefixLength: Int) -> Bool {
        guard address.count == network.count else { return false }
        var remaining = prefixLength
        for (byte, networkByte) in zip(address, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard byte & mask == networkByte & mask else { return false }
            remaining -= 8
        }
        return true
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDecimalDigit), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: Substring) -> [UInt8]? {
        let groups: [UInt16]
        if let gap = text.firstRange(of: "::") {
            guard let head = Self.groups(text[..<gap.lowerBound], dottedTail: false),
                  let tail = Self.groups(text[gap.upperBound...], dottedTail: true),
                  head.count + tail.count <= 7
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = Self.groups(text, dottedTail: true), all.count == 8 else { return nil }
            groups = all
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// The 16-bit groups of one side of `::`; an IPv4 tail counts as two.
    private static func groups(_ text: Substring, dottedTail: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if dottedTail, index == pieces.count - 1, piece.contains(".") {
                guard let v4 = ipv4(piece) else { return nil }
                groups.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                groups.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
            } else {
                guard (1...4).contains(piece.count), piece.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                      let value = UInt16(piece, radix: 16)
                else { return nil }
                groups.append(value)
            }
        }
        return groups
    }
}
