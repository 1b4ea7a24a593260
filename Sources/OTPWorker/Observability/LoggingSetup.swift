import Logging

/// Bootstraps swift-log for the executable in the chosen format and level.
public enum LoggingSetup {
    /// Makes every `Logger` write to stderr in `format` at `level` and above.
    ///
    /// Call it once, at start, from the executable: swift-log traps on a second bootstrap.
    /// - Parameter traceIDs: Whether lines logged while a record is handled carry its span's
    ///   trace id (`trace_id`); set it when tracing is on.
    public static func bootstrap(format: LogFormat, level: Logger.Level, traceIDs: Bool = false) {
        LoggingSystem.bootstrap({ label, provider in
            makeHandler(label: label, format: format, level: level, metadataProvider: provider)
        }, metadataProvider: traceIDs ? RecordLogContext.metadataProvider : nil)
    }

    /// The handler ``bootstrap(format:level:)`` installs, writing to `stream`; the seam for tests.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - format: Human-readable or JSON lines.
    ///   - level: The lowest level written.
    ///   - stream: Where lines go, stderr by default; it must be safe to write from several threads.
    ///   - metadataProvider: Contextual metadata for every line (the record's trace id).
    public static func makeHandler(
        label: String,
        format: LogFormat,
        level: Logger.Level,
        stream: any TextOutputStream & Sendable = StandardStream.standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .human:
            return HumanLogHandler(label: label, level: level, stream: stream, metadataProvider: metadataProvider)
        case .json:
            return JSONLogHandler(label: label, level: level, stream: stream, metadataProvider: metadataProvider)
        }
    }
}
