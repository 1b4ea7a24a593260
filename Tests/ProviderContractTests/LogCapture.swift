import Logging
import NIOConcurrencyHelpers

/// Collects every log line with all its metadata, at trace level, for leak checks.
final class LogCapture: Sendable {
    /// One captured line: level, message and rendered metadata.
    struct Line: Sendable, CustomStringConvertible {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        var description: String {
            let rendered = self.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "[\(self.level)] \(self.message) \(rendered)"
        }
    }

    private let storage = NIOLockedValueBox<[Line]>([])

    /// Every line so far.
    var lines: [Line] { self.storage.withLockedValue { $0 } }

    /// A logger at trace level that writes here.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: Line) {
        self.storage.withLockedValue { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = self.metadata
                .merging(self.metadataProvider?.get() ?? [:]) { $1 }
                .merging(event.metadata ?? [:]) { $1 }
            var rendered = merged.mapValues { "\($0)" }
            if let error = event.error { rendered["error"] = "\(error)" }
            self.capture.append(Line(level: event.level, message: "\(event.message)", metadata: rendered))
        }
    }
}
