/// The keys the guard counts one destination under. The number itself is only a keyed hash
/// (the key is random per process), so the guard's memory holds no phone number; prefixes and
/// countries are packed digits, since the guard must be able to name them to an operator.
public struct GuardDestination: Sendable, Hashable {
    /// The whole number (country code and national number), hashed.
    public var number: UInt64
    /// The country calling code and the national number without its last four digits.
    public var prefix: PackedPrefix
    /// The country calling code alone.
    public var country: PackedPrefix

    /// The keys of `+countryCode mobileNumber` (digits only, as the event contract requires).
    public init(countryCode: String, mobileNumber: String) {
        var hasher = Hasher()
        hasher.combine(countryCode)
        hasher.combine(mobileNumber)
        number = UInt64(bitPattern: Int64(hasher.finalize()))
        let national = mobileNumber.utf8
        prefix = PackedPrefix(countryCode: countryCode.utf8, digits: national.prefix(max(0, national.count - 4)))
        country = PackedPrefix(countryCode: countryCode.utf8, digits: national.prefix(0))
    }

    public init(number: UInt64, prefix: PackedPrefix, country: PackedPrefix) {
        self.number = number
        self.prefix = prefix
        self.country = country
    }
}

/// A country calling code (up to 4 digits) and up to 11 leading digits of a national number,
/// packed into 64 bits with their lengths, so that leading zeros survive and the text can be
/// shown again.
public struct PackedPrefix: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Packs the digits; longer inputs keep their first 4 and 11 digits, non-digits count as 0.
    public init<C: Collection, D: Collection>(countryCode: C, digits: D) where C.Element == UInt8, D.Element == UInt8 {
        func value<S: Collection>(_ bytes: S, max: Int) -> (UInt64, UInt64) where S.Element == UInt8 {
            var number: UInt64 = 0
            var length: UInt64 = 0
            for byte in bytes.prefix(max) {
                number = number * 10 + UInt64(byte &- UInt8(ascii: "0") < 10 ? byte - UInt8(ascii: "0") : 0)
                length += 1
            }
            return (number, length)
        }
        let (cc, ccLength) = value(countryCode, max: 4)
        let (national, nationalLength) = value(digits, max: 11)
        rawValue = ccLength << 61 | cc << 47 | nationalLength << 37 | national
    }

    /// The country calling code's digits.
    public var countryCode: String { Self.digits(rawValue >> 47 & 0x3FFF, length: Int(rawValue >> 61)) }
    /// The national number's leading digits.
    public var nationalDigits: String { Self.digits(rawValue & (1 << 37 - 1), length: Int(rawValue >> 37 & 0xF)) }

    /// `44:791112` (a prefix) or `44` (a country): the form `--guard-deny-prefixes` takes.
    public var description: String {
        let national = nationalDigits
        return national.isEmpty ? countryCode : "\(countryCode):\(national)"
    }

    public static func < (lhs: PackedPrefix, rhs: PackedPrefix) -> Bool { lhs.description < rhs.description }

    private static func digits(_ value: UInt64, length: Int) -> String {
        guard length > 0 else { return "" }
        let text = String(value)
        return String(repeating: "0", count: max(0, length - text.count)) + text
    }
}
