import Logging

/// How one log event becomes one line of text, newline included.
public protocol LogLineFormat: Sendable {
    /// The line for `event` from the logger labelled `label`, with `metadata` already merged.
    static func line(for event: LogEvent, label: String, metadata: Logger.Metadata) -> String
}

/// A `LogHandler` that writes each event as one line in `Format`; ``HumanLogHandler`` and
/// ``JSONLogHandler`` are its two forms.
///
/// The whole line goes to the stream in one `write`, so a thread-safe stream such as
/// ``StandardStream`` keeps lines whole across threads.
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
    /// The logger's label.
    public let label: String
    /// The configured level; `Logger` filters by it before calling the handler.
    public var logLevel: Logger.Level
    /// Metadata attached to this handler, written on every line.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task locals, ...), written on every line.
    public var metadataProvider: Logger.MetadataProvider?
    private let stream: any TextOutputStream & Sendable

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - level: The lowest level written.
    ///   - stream: Where lines go; it must be safe to write from several threads.
    ///   - metadataProvider: Contextual metadata, by default the one bootstrapped globally.
    public init(
        label: String,
        level: Logger.Level = .info,
        stream: any TextOutputStream & Sendable = StandardStream.standardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.logLevel = level
        self.stream = stream
        self.metadataProvider = metadataProvider
    }

    /// Gets or sets one metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line. Its metadata, as swift-log's `StreamLogHandler` merges it:
    /// the handler's, then the provider's, then the call's (later ones winning), then
    /// `error.message` and `error.type` when the call passed an error.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let explicit = event.metadata, !explicit.isEmpty {
            // Usually the handler has none: take the call's as it is rather than rebuild it.
            if merged.isEmpty { merged = explicit } else { merged.merge(explicit) { $1 } }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var stream = self.stream
        stream.write(Format.line(for: event, label: label, metadata: merged))
    }
}
