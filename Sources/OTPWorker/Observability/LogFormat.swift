/// How log lines are written to stderr.
///
/// `human` for a terminal, `json` for log collectors (one object per line). The raw values
/// are what a `--log-format` flag or a `OTP_LOG_FORMAT` variable would carry.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's stream format: `2026-01-01T00:00:00+0000 info label: key=value [source] message`.
    case human
    /// One JSON object per line; see ``JSONLogHandler``.
    case json
}
