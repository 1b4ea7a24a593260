import Primitives

/// The guard's rules as configured: what `run` and `replay` read from their flags.
public struct GuardPolicy: Sendable, Hashable {
    public var mode: GuardMode = .enforce
    /// Country calling codes admitted; all when nil.
    public var allowCountries: Set<String>?
    public var denyPrefixes: [DeniedPrefix] = []
    public var numberLimit: RateLimit? = RateLimit(count: 5, window: .seconds(600))
    public var prefixLimit: RateLimit?
    public var countryLimit: RateLimit?
    public var globalLimit: RateLimit?
    public var minConversion: ConversionRule? = ConversionRule(minimumShare: 0.2, window: .seconds(3600), minimumSample: 30)

    /// The contract's defaults: enforce, 5 sends per number per 10 minutes, conversion 0.2/1h/30.
    public init() {}

    /// The longest window a rule may have: the view is rebuilt from this much of the outcome
    /// topics when a worker starts, and its time stamps are kept in 32 bits.
    public static let longestWindow = Duration.seconds(7 * 24 * 3600)

    /// How far back the view must read so that every window is full when the worker starts.
    public var lookback: Duration {
        let windows = [numberLimit?.window, prefixLimit?.window, countryLimit?.window, globalLimit?.window, minConversion?.window]
        return windows.compactMap { $0 }.max() ?? .zero
    }

    /// The lookback as written, e.g. `1h`.
    public static func describeLookback(_ policy: GuardPolicy) -> String { describe(policy.lookback) }

    /// Whether any rule needs the group's view of sends (the lists alone do not).
    public var needsView: Bool { mode != .off && lookback > .zero }

    /// Parses a comma-separated list of calling codes (`44,49`); empty or `all` is nil.
    public static func parseAllowCountries(_ text: String) throws(GuardSettingError) -> Set<String>? {
        if text.isEmpty || text == "all" { return nil }
        var codes = Set<String>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let code = String(part)
            guard (1...4).contains(code.utf8.count), code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw GuardSettingError(flag: GuardRule.allowCountries.flag, text: text,
                                        rule: "comma-separated country calling codes of 1 to 4 digits without + (e.g. 44,49), or all")
            }
            codes.insert(code)
        }
        return codes
    }

    /// Parses a comma-separated list of `CC:digits` prefixes (`44:70,44:871`); empty is none.
    public static func parseDenyPrefixes(_ text: String) throws(GuardSettingError) -> [DeniedPrefix] {
        if text.isEmpty || text == "none" { return [] }
        var prefixes: [DeniedPrefix] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let halves = part.split(separator: ":", omittingEmptySubsequences: false)
            let digits: (Substring) -> Bool = { $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
            guard halves.count == 2, (1...4).contains(halves[0].utf8.count), digits(halves[0]),
                (1...14).contains(halves[1].utf8.count), digits(halves[1])
            else {
                throw GuardSettingError(flag: GuardRule.denyPrefixes.flag, text: text,
                                        rule: "comma-separated CC:digits number prefixes (e.g. 44:70,44:871), or none")
            }
            prefixes.append(DeniedPrefix(countryCode: String(halves[0]), digits: String(halves[1])))
        }
        return prefixes
    }

    /// A window's duration, by the one duration syntax, between 1 second and ``longestWindow``.
    static func window(_ text: String, flag: String, text whole: String, rule: String) throws(GuardSettingError) -> Duration {
        let window: Duration
        do {
            window = try DurationText.parse(text)
        } catch {
            throw GuardSettingError(flag: flag, text: whole, rule: rule + "; DURATION is " + DurationText.rule)
        }
        guard window >= .seconds(1), window <= longestWindow else {
            throw GuardSettingError(flag: flag, text: whole, rule: rule + "; DURATION is from 1s to 168h")
        }
        return window
    }

    /// `10m`, `1h`, `90s`: the largest whole unit.
    public static func describe(_ window: Duration) -> String {
        let seconds = window.components.seconds
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        if window.components.attoseconds == 0 { return "\(seconds)s" }
        return "\(window.milliseconds)ms"
    }
}

/// A number prefix on the deny-list: a country calling code and the first digits of the
/// national number.
public struct DeniedPrefix: Sendable, Hashable, CustomStringConvertible {
    public var countryCode: String
    public var digits: String

    public init(countryCode: String, digits: String) {
        self.countryCode = countryCode
        self.digits = digits
    }

    /// Whether the number falls under this prefix.
    public func matches(countryCode: String, mobileNumber: String) -> Bool {
        countryCode == self.countryCode && mobileNumber.utf8.starts(with: digits.utf8)
    }

    /// `44:70`, as written in the flag.
    public var description: String { "\(countryCode):\(digits)" }
}
