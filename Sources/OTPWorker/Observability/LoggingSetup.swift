import Logging

/// Bootstraps swift-log for the executable in the chosen format and level.
public enum LoggingSetup {
    /// Makes every `Logger` write to stderr in `format` at `level` and above.
    ///
    /// Call it once, at start, from the executable: swift-log traps on a second bootstrap.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, format: format, level: level)
        }
    }

    /// The handler ``bootstrap(format:level:)`` installs, writing to `stream`; the seam for tests.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - format: Human-readable or JSON lines.
    ///   - level: The lowest level written.
    ///   - stream: Where lines go, stderr by default; it must be safe to write from several threads.
    public static func makeHandler(
        label: String,
        format: LogFormat,
        level: Logger.Level,
        stream: any TextOutputStream & Sendable = StandardStream.standardError
    ) -> any LogHandler {
        switch format {
        case .human:
            return HumanLogHandler(label: label, level: level, stream: stream)
        case .json:
            return JSONLogHandler(label: label, level: level, stream: stream)
        }
    }
}
