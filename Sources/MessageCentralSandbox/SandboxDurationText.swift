#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Durations written as the sandbox's flags and control surface take them:
/// a whole number followed by `ms`, `s`, `m` or `h` (`250ms`, `3600s`, `5m`).
/// A bare number means seconds.
public enum SandboxDurationText {
    /// Parses `text`; `nil` when it is not a non-negative whole number with a known unit.
    public static func parse(_ text: String) -> Duration? {
        var trimmed = Substring(text)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        let digits = trimmed.prefix { $0.isASCIIDigit }
        guard !digits.isEmpty, digits.count <= 12, let value = Int64(digits) else { return nil }
        switch trimmed.dropFirst(digits.count) {
        case "ms": return .milliseconds(value)
        case "s", "": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        default: return nil
        }
    }

    /// Renders `duration` as whole seconds (`3600s`), or milliseconds when it has a fraction (`250ms`).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        guard attoseconds == 0 else {
            return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
        }
        return "\(seconds)s"
    }
}
