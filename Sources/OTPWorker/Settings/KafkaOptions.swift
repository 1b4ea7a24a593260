/// librdkafka properties given by operators, as `--kafka-option k=v` flags or `KAFKA_OPTION_*`
/// environment variables.
public enum KafkaOptions {
    /// The environment's `KAFKA_OPTION_*` variables as properties: drop the prefix, lower-case,
    /// `_` becomes `.` (`KAFKA_OPTION_FETCH_WAIT_MAX_MS=5` is `fetch.wait.max.ms=5`).
    public static func fromEnvironment(_ environment: [String: String]) -> [String: String] {
        let prefix = "KAFKA_OPTION_"
        var properties: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) && name.count > prefix.count {
            let property = name.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: ".")
            properties[property] = value
        }
        return properties
    }

    /// Parses one `k=v` flag; nil when there is no `=` or the name is empty. The value may
    /// contain `=` (SASL JAAS lines do).
    public static func parseFlag(_ text: String) -> (name: String, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
