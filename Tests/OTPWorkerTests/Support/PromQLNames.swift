import Foundation

/// The metric names a PromQL expression reads, for checking dashboards and alerts against what
/// the worker exports. Not a PromQL parser: it removes what is not a name (strings, label
/// matchers, ranges, `by (...)` lists), then keeps the identifiers that are not called as
/// functions and are not operators.
enum PromQLNames {
    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
    ]

    static func metricNames(in expression: String) -> Set<String> {
        var text = expression
        for pattern in [#""(?:[^"\\]|\\.)*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#,
                        #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var names: Set<String> = []
        let identifier = /[A-Za-z_:][A-Za-z0-9_:]*/
        for match in text.matches(of: identifier) {
            let name = String(match.output)
            let rest = text[match.range.upperBound...].drop { $0 == " " }
            guard !keywords.contains(name), rest.first != "(" else { continue }
            // A number's exponent (1e3) or a duration's unit is not a name.
            if match.range.lowerBound > text.startIndex, text[text.index(before: match.range.lowerBound)].isNumber { continue }
            names.insert(name)
        }
        return names
    }

    /// The names a /metrics text exposes: each `# TYPE` family, with `_bucket`, `_sum` and
    /// `_count` for histograms.
    static func exposed(in body: String) -> Set<String> {
        var names: Set<String> = []
        for line in body.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 4 else { continue }
            let name = String(parts[2])
            names.insert(name)
            if parts[3] == "histogram" || parts[3] == "summary" {
                names.formUnion(["_bucket", "_sum", "_count"].map { name + $0 })
            }
        }
        return names
    }
}
