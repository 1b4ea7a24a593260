import Primitives

/// At most `count` sends per sliding `window`, written `COUNT/DURATION` (`5/10m`).
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Sends admitted per window; at least 1.
    public var count: Int
    /// The window's length; from 1 second to ``GuardPolicy/longestWindow``.
    public var window: Duration

    public init(count: Int, window: Duration) {
        self.count = count
        self.window = window
    }

    /// Parses `COUNT/DURATION`, or `off` (nil).
    /// - Throws: ``GuardSettingError`` quoting the text and stating the rule.
    public static func parse(_ text: String, flag: String) throws(GuardSettingError) -> RateLimit? {
        if text == "off" { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let rule = "COUNT/DURATION (e.g. 5/10m) or off"
        guard parts.count == 2, let count = Int(parts[0]), count >= 1, count <= 10_000_000 else {
            throw GuardSettingError(flag: flag, text: text, rule: rule + "; COUNT is a whole number from 1 to 10000000")
        }
        let window = try GuardPolicy.window(String(parts[1]), flag: flag, text: text, rule: rule)
        return RateLimit(count: count, window: window)
    }

    /// `5/10m`.
    public var description: String { "\(count)/\(GuardPolicy.describe(window))" }
}

/// Blocks a prefix or a country whose codes are rarely verified, written
/// `SHARE/DURATION/SAMPLE` (`0.2/1h/30`): at least `minimumSample` sends resolved (verified, or
/// expired unverified) within `window`, of which a share below `minimumShare` verified.
public struct ConversionRule: Sendable, Hashable, CustomStringConvertible {
    /// The verified share below which a key is blocked; from 0 to 1.
    public var minimumShare: Double
    public var window: Duration
    /// Resolved sends needed before the share is judged: a few unlucky users are not a pattern.
    public var minimumSample: Int

    public init(minimumShare: Double, window: Duration, minimumSample: Int) {
        self.minimumShare = minimumShare
        self.window = window
        self.minimumSample = minimumSample
    }

    /// Parses `SHARE/DURATION/SAMPLE`, or `off` (nil).
    /// - Throws: ``GuardSettingError`` quoting the text and stating the rule.
    public static func parse(_ text: String, flag: String) throws(GuardSettingError) -> ConversionRule? {
        if text == "off" { return nil }
        let rule = "SHARE/DURATION/SAMPLE (e.g. 0.2/1h/30) or off"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw GuardSettingError(flag: flag, text: text, rule: rule) }
        guard let share = Double(parts[0]), share >= 0, share <= 1, parts[0].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            throw GuardSettingError(flag: flag, text: text, rule: rule + "; SHARE is a number from 0 to 1")
        }
        guard let sample = Int(parts[2]), sample >= 1, sample <= 10_000_000 else {
            throw GuardSettingError(flag: flag, text: text, rule: rule + "; SAMPLE is a whole number from 1 to 10000000")
        }
        let window = try GuardPolicy.window(String(parts[1]), flag: flag, text: text, rule: rule)
        return ConversionRule(minimumShare: share, window: window, minimumSample: sample)
    }

    /// `0.2/1h/30`.
    public var description: String { "\(minimumShare)/\(GuardPolicy.describe(window))/\(minimumSample)" }
}

/// A guard flag's value that does not follow its rule; the description quotes the flag, the
/// text and the rule, ready for an error message.
public struct GuardSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var flag: String
    public var text: String
    public var rule: String

    public init(flag: String, text: String, rule: String) {
        self.flag = flag
        self.text = text
        self.rule = rule
    }

    public var description: String { "\(flag) '\(text)': expected \(rule)" }
}
