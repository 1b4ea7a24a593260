/// The guard's rules, in the order they are applied; `rawValue` is the `rule` label of
/// `otp_guard_decisions_total` and the name in `otp.failed` messages.
public enum GuardRule: String, Sendable, CaseIterable {
    /// The country calling code is not on `--guard-allow-countries`.
    case allowCountries = "allow_countries"
    /// The number starts with a prefix on `--guard-deny-prefixes`.
    case denyPrefixes = "deny_prefixes"
    /// `--guard-number-limit`: sends to one number.
    case numberLimit = "number_limit"
    /// `--guard-prefix-limit`: sends to one prefix (the number without its last four digits).
    case prefixLimit = "prefix_limit"
    /// `--guard-country-limit`: sends to one country calling code.
    case countryLimit = "country_limit"
    /// `--guard-global-limit`: every send of the group.
    case globalLimit = "global_limit"
    /// `--guard-min-conversion` for the number's prefix.
    case prefixConversion = "prefix_conversion"
    /// `--guard-min-conversion` for the number's country.
    case countryConversion = "country_conversion"

    /// The flag that configures the rule.
    public var flag: String {
        switch self {
        case .allowCountries: "--guard-allow-countries"
        case .denyPrefixes: "--guard-deny-prefixes"
        case .numberLimit: "--guard-number-limit"
        case .prefixLimit: "--guard-prefix-limit"
        case .countryLimit: "--guard-country-limit"
        case .globalLimit: "--guard-global-limit"
        case .prefixConversion, .countryConversion: "--guard-min-conversion"
        }
    }
}

/// What the guard decided for one send.
public enum GuardVerdict: Sendable, Equatable {
    /// No rule refuses it.
    case admit
    /// A sliding-window limit refuses it: `RATE_LIMITED`, retryable after `retryAfterSeconds`
    /// (when every limit that refuses it admits one again; at least 1).
    case rateLimited(GuardRule, retryAfterSeconds: Int, message: String)
    /// A list or the conversion rule refuses it: `SEND_BLOCKED`, not retryable.
    case blocked(GuardRule, message: String)

    /// The rule that refused, nil when admitted.
    public var rule: GuardRule? {
        switch self {
        case .admit: nil
        case .rateLimited(let rule, _, _), .blocked(let rule, _): rule
        }
    }
}
