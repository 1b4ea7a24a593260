import Logging

/// The logger of one provider call: metadata set on it is kept aside and merged only into the
/// messages that are logged at all.
///
/// Setting metadata on a `Logger` copies its handler's metadata every time; a call set three
/// keys (phone or verification id, operation, attempt) on every request, whether anything was
/// logged or not, which was measurable per request.
struct CallLogger: Sendable {
    let base: Logger
    private var metadata: Logger.Metadata = [:]

    init(_ base: Logger) {
        self.base = base
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata extra: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        guard base.logLevel <= level else { return }
        var merged = metadata
        if let extra = extra() { merged.merge(extra) { _, new in new } }
        base.log(level: level, message(), metadata: merged, file: file, function: function, line: line)
    }

    func trace(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
               file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .trace, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
               file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .debug, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
              file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .info, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func notice(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
                file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .notice, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
                 file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .warning, message(), metadata: metadata(), file: file, function: function, line: line)
    }
}
