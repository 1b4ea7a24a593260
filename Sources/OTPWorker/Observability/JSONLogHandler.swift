#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import OTPEvents

/// A `LogHandler` that writes one JSON object per line, for log collectors.
///
/// Each line carries `timestamp` (RFC 3339, UTC, milliseconds), `level`, `label`,
/// `message`, `source` and the metadata flattened to strings under their own keys
/// (handler metadata, then the metadata provider's, then the call's, later ones winning).
/// A metadata key that collides with one of the fixed keys is written as `meta.KEY`, unless
/// the metadata also holds a literal `meta.KEY`, which then stands alone (each key appears once).
/// The whole line goes to the stream in one `write`, so a thread-safe stream such as
/// ``StandardStream`` keeps lines whole across threads.
public struct JSONLogHandler: LogHandler {
    private static let fixedKeys: Set<String> = ["timestamp", "level", "label", "message", "source"]

    /// The logger's label, written as `label`.
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

    /// Writes the event as one JSON line, keys in byte order.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        var fields: [(key: String, value: String)] = [
            ("timestamp", Self.timestamp(Date())), ("level", event.level.rawValue), ("label", label),
            ("message", event.message.description), ("source", event.source),
        ]
        fields.reserveCapacity(fields.count + merged.count)
        for (key, value) in merged {
            guard Self.fixedKeys.contains(key) else {
                fields.append((key, Self.flatten(value)))
                continue
            }
            // A literal `meta.KEY` in the metadata keeps its place over the renamed one.
            if merged["meta.\(key)"] == nil { fields.append(("meta.\(key)", Self.flatten(value))) }
        }
        // Written straight to bytes: a dictionary of JSON values, serialized and sorted, cost
        // the worker about 40 µs per line, and it logs a line per outcome.
        fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var line: [UInt8] = [UInt8(ascii: "{")]
        line.reserveCapacity(64 * fields.count)
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(field.key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONWriter.appendString(field.value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        var stream = self.stream
        stream.write(String(decoding: line, as: UTF8.self))
    }

    /// Nested values become their swift-log description, so every field is a string.
    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array, .dictionary: return value.description
        }
    }

    /// UTC with milliseconds. Not `Date.ISO8601FormatStyle`: its time zones come from
    /// FoundationInternationalization, which this process does not load (`TimeZone(identifier:
    /// "UTC")` is nil without it).
    static func timestamp(_ date: Date) -> String {
        RFC3339.format(date)
    }
}
