/// The one way durations are written anywhere an operator writes one: every flag and
/// environment variable of every command, and the sandbox's control surface.
///
/// A whole number alone is seconds (`600`); otherwise a whole number with a unit `ms`, `s`, `m`
/// or `h` (`250ms`, `600s`, `10m`, `1h`). Nothing else: no sign, no fraction, no spaces, no
/// other unit, nothing longer than ``maximum``. One parser, so that a value one command takes
/// is never refused by another.
package enum DurationText {
    /// The rule, for help texts and error messages.
    package static let rule = "a whole number of seconds (600) or a whole number with a unit ms, s, m or h (250ms, 600s, 10m, 1h)"

    /// The longest duration accepted: whole nanoseconds in an `Int64` (about 292 years), what
    /// timers and deadlines downstream convert durations to.
    package static let maximum = Duration.nanoseconds(Int64.max)

    /// Parses `text` by the rule.
    ///
    /// - Throws: ``DurationTextError`` quoting `text` and stating the rule.
    package static func parse(_ text: String) throws(DurationTextError) -> Duration {
        let bytes = Array(text.utf8)
        let digitCount = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        guard digitCount > 0 else {
            throw DurationTextError(text: text, problem: bytes.first == UInt8(ascii: "-") ? .negative : .malformed)
        }
        let unit = String(decoding: bytes[digitCount...], as: UTF8.self)
        let nanosecondsPerUnit: Int64
        switch unit {
        case "ms": nanosecondsPerUnit = 1_000_000
        case "s", "": nanosecondsPerUnit = 1_000_000_000
        case "m": nanosecondsPerUnit = 60_000_000_000
        case "h": nanosecondsPerUnit = 3_600_000_000_000
        default:
            let first = unit.utf8.first
            if first == UInt8(ascii: ".") || first == UInt8(ascii: ",") { throw DurationTextError(text: text, problem: .fraction) }
            guard unit.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) })
            else { throw DurationTextError(text: text, problem: .malformed) }
            throw DurationTextError(text: text, problem: .unknownUnit(unit))
        }
        // Digits only, so `Int64(_:)` fails on overflow alone.
        guard let number = Int64(String(decoding: bytes[..<digitCount], as: UTF8.self)) else {
            throw DurationTextError(text: text, problem: .tooLong)
        }
        let (nanoseconds, overflow) = number.multipliedReportingOverflow(by: nanosecondsPerUnit)
        guard !overflow else { throw DurationTextError(text: text, problem: .tooLong) }
        return .nanoseconds(nanoseconds)
    }
}

/// Why a text is not a duration (see ``DurationText``); its description quotes the text and
/// states the rule, ready for an error message.
package struct DurationTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the text.
    package enum Problem: Sendable, Equatable {
        /// Empty, or not a whole number with a unit (spaces, a sign other than `-`, junk).
        case malformed
        /// Begins with a minus sign.
        case negative
        /// A decimal point or comma after the whole number.
        case fraction
        /// Letters after the number that are not `ms`, `s`, `m` or `h`.
        case unknownUnit(String)
        /// Longer than ``DurationText/maximum``.
        case tooLong
    }

    /// The text as given.
    package var text: String
    /// What is wrong with it.
    package var problem: Problem

    package init(text: String, problem: Problem) {
        self.text = text
        self.problem = problem
    }

    package var description: String {
        let why: String =
            switch problem {
            case .malformed: ""
            case .negative: " (it is negative)"
            case .fraction: " (it has a fraction)"
            case .unknownUnit(let unit): " ('\(unit)' is not a unit)"
            case .tooLong: " (it is longer than about 292 years)"
            }
        return "'\(text)' is not a duration\(why): write \(DurationText.rule)"
    }
}
