import ArgumentParser
import Primitives

/// How every command reads a duration: through ``DurationText``, the one parser, so that a
/// value one command takes is never refused by another.
enum DurationOption {
    /// The rule as each command's `--help` states it, once, in its discussion.
    static let help = "Durations are \(DurationText.rule)."

    /// For `@Option(transform:)`: a refused value stops the command at parsing, with the
    /// parser's message (which quotes the value and states the rule).
    static func parse(_ text: String) throws -> Duration {
        try DurationText.parse(text)
    }

    /// A duration from a flag, else its environment variable (an empty one counts as unset),
    /// else `fallback`.
    ///
    /// - Parameters:
    ///   - positive: whether zero is refused too (for deadlines and ages, where it makes no sense).
    /// - Throws: `ValidationError` naming the flag and the variable, then the parser's message.
    static func resolve(
        _ flag: String?, flagName: String, variable: String, environment: [String: String],
        default fallback: Duration, positive: Bool = true
    ) throws -> Duration {
        guard let text = flag ?? environment[variable].flatMap({ $0.isEmpty ? nil : $0 }) else { return fallback }
        let duration: Duration
        do {
            duration = try DurationText.parse(text)
        } catch {
            throw ValidationError("\(flagName) / \(variable): \(error)")
        }
        guard !positive || duration > .zero else {
            throw ValidationError("\(flagName) / \(variable): '\(text)' must be more than zero")
        }
        return duration
    }
}
