/// Durations as operators write them: a whole number with a unit, `250ms`, `30s`, `10m`, `1h`.
public enum DurationText {
    /// Parses `text`; nil when it is not a whole number followed by ms, s, m or h.
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, milliseconds) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            // "5ms" also ends in "s": only accept a purely numeric prefix.
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                let value = Int64(number), value <= Int64.max / milliseconds / 1_000_000
            else { continue }
            return .milliseconds(value * milliseconds)
        }
        return nil
    }

    /// Formats `duration` the way `parse` reads it (whole seconds when exact, else milliseconds).
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
