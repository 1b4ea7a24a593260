#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Logging
import OTPEvents

/// One JSON object per line, for log collectors.
///
/// Each line carries `timestamp` (RFC 3339, UTC, milliseconds), `level`, `label`,
/// `message`, `source` and the metadata flattened to strings under their own keys (merged as
/// ``LineLogHandler`` says, a call's error included).
/// A metadata key that collides with one of the fixed keys is written as `meta.KEY`, unless
/// the metadata also holds a literal `meta.KEY`, which then stands alone (each key appears once).
public typealias JSONLogHandler = LineLogHandler<JSONLines>

/// The line format of ``JSONLogHandler``.
public enum JSONLines: LogLineFormat {
    private static let fixedKeys: Set<String> = ["timestamp", "level", "label", "message", "source"]

    /// The event as one JSON object, keys in byte order.
    public static func line(for event: LogEvent, label: String, metadata merged: Logger.Metadata) -> String {
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
        // Written straight to bytes: the worker logs a line per outcome, too often to build a
        // dictionary of JSON values and serialize and sort it for each line.
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
        return String(decoding: line, as: UTF8.self)
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
