import Foundation
import Kafka
import Logging
import OTPWorker
import Primitives
import Testing

/// An in-memory `TextOutputStream` that keeps every write.
final class MemoryStream: TextOutputStream, Sendable {
    private let writes = Locked<[String]>([])

    func write(_ string: String) {
        writes.withLock { $0.append(string) }
    }

    /// Everything written, split into lines.
    var lines: [String] {
        writes.withLock { $0.joined() }.split(separator: "\n").map(String.init)
    }
}

/// The log formats, written to memory.
@Suite(.timeLimit(.minutes(1)))
struct LoggingSetupTests {
    private func logger(_ format: LogFormat, _ stream: MemoryStream, level: Logger.Level = .info) -> Logger {
        Logger(label: "otp-worker.test") { label in
            LoggingSetup.makeHandler(label: label, format: format, level: level, stream: stream)
        }
    }

    private func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any])
    }

    @Test func jsonLinesParseAndCarryMetadata() throws {
        let stream = MemoryStream()
        var logger = logger(.json, stream)
        logger[metadataKey: "instance"] = "w1"
        logger.info("sent", metadata: ["requestId": "r1", "attempt": .stringConvertible(2), "tags": ["a", "b"]])

        let lines = stream.lines
        try #require(lines.count == 1)
        let line = try object(lines[0])
        #expect(line["message"] as? String == "sent")
        #expect(line["level"] as? String == "info")
        #expect(line["label"] as? String == "otp-worker.test")
        #expect(line["instance"] as? String == "w1")
        #expect(line["requestId"] as? String == "r1")
        #expect(line["attempt"] as? String == "2")
        #expect(line["tags"] is String)
        let timestamp = try #require(line["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
    }

    @Test("a call's error is in the JSON line, as in the human one")
    func jsonLinesCarryTheError() throws {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "refused by the broker" }
        }
        let stream = MemoryStream()
        logger(.json, stream).error("failed", error: Refused(), metadata: ["b": "1"])
        let line = try object(try #require(stream.lines.first))
        #expect(line["error.message"] as? String == "refused by the broker")
        #expect((line["error.type"] as? String)?.hasSuffix("Refused") == true)
        #expect(line["b"] as? String == "1")
    }

    @Test func metadataCannotOverwriteTheFixedFields() throws {
        let stream = MemoryStream()
        logger(.json, stream).warning("real", metadata: ["message": "fake", "level": "debug"])
        let line = try object(try #require(stream.lines.first))
        #expect(line["message"] as? String == "real")
        #expect(line["level"] as? String == "warning")
        #expect(line["meta.message"] as? String == "fake")
    }

    @Test func jsonLinesAreCanonicalOneKeyEachAndEscaped() throws {
        let stream = MemoryStream()
        logger(.json, stream).info(
            "line\nbreak \"quoted\" \u{1}",
            metadata: ["zeta": "z", "alpha": "a\\b", "message": "renamed", "meta.message": "literal"])
        let text = try #require(stream.lines.first)
        let keys = try object(text).keys.sorted()
        #expect(keys == ["alpha", "label", "level", "message", "meta.message", "source", "timestamp", "zeta"])
        // Keys in byte order, each exactly once (a parser keeps one of two equal keys, so count
        // them in the text), whatever order the metadata dictionary iterates in.
        for key in keys {
            #expect(text.components(separatedBy: "\"\(key)\":").count == 2, "\(key) once")
        }
        let positions = keys.map { key in text.range(of: "\"\(key)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let line = try object(text)
        #expect(line["message"] as? String == "line\nbreak \"quoted\" \u{1}")
        #expect(line["meta.message"] as? String == "literal", "a literal meta.KEY wins over the renamed fixed key")
        #expect(line["alpha"] as? String == "a\\b")
        #expect(text.contains(#"line\nbreak \"quoted\" \u0001"#))
    }

    @Test func theLevelFilters() {
        let stream = MemoryStream()
        let logger = logger(.json, stream, level: .notice)
        logger.info("dropped")
        logger.notice("kept")
        #expect(stream.lines.count == 1)
    }

    @Test func humanFormatIsOneReadableLine() throws {
        let stream = MemoryStream()
        logger(.human, stream).info("hello", metadata: ["requestId": "r1"])
        let line = try #require(stream.lines.first)
        #expect(stream.lines.count == 1)
        #expect(line.contains("info otp-worker.test:"))
        #expect(line.contains("requestId=r1"))
        #expect(line.hasSuffix("hello"))
    }

    @Test("the human format is swift-log's StreamLogHandler's, byte for byte after the timestamp")
    func humanFormatIsStreamLogHandlers() throws {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "refused by the broker" }
        }
        let provider = Logger.MetadataProvider { ["trace": "t1", "shared": "provider"] }
        func exercise(_ logger: inout Logger) {
            logger.info("before any handler metadata")
            logger[metadataKey: "handler"] = "h"
            logger[metadataKey: "shared"] = "handler"
            logger.info("plain")
            logger.notice(
                "with metadata",
                metadata: ["b": "2", "a": .array(["x", "y"]), "shared": "call", "z": .dictionary(["k": "v"]),
                           "n": .stringConvertible(42)])
            logger.error("with an error", error: Refused(), metadata: ["b": "1"])
            logger.trace("")
        }
        let ours = MemoryStream()
        var oursLogger = Logger(label: "otp-worker.test") {
            HumanLogHandler(label: $0, level: .trace, stream: ours, metadataProvider: provider)
        }
        exercise(&oursLogger)
        let theirs = MemoryStream()
        var theirsLogger = Logger(label: "otp-worker.test") {
            var handler = StreamLogHandler(label: $0, stream: theirs, metadataProvider: provider)
            handler.logLevel = .trace
            return handler
        }
        exercise(&theirsLogger)

        #expect(ours.lines.count == 5)
        let stamp = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} /#
        for line in ours.lines { #expect(line.prefixMatch(of: stamp) != nil, "\(line)") }
        func afterTimestamp(_ lines: [String]) -> [Substring] { lines.map { $0.drop { $0 != " " } } }
        #expect(afterTimestamp(ours.lines) == afterTimestamp(theirs.lines))
        // Local time, as StreamLogHandler tells it: the same offset from UTC.
        #expect(ours.lines.first.map { $0.prefix(24).suffix(5) } == theirs.lines.first.map { $0.prefix(24).suffix(5) })
    }

    @Test func linesStayWholeAcrossThreads() async throws {
        let stream = MemoryStream()
        let logger = logger(.json, stream)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<100 { logger.info("line", metadata: ["task": "\(task)", "index": "\(index)"]) }
                }
            }
        }
        let lines = stream.lines
        #expect(lines.count == 800)
        for line in lines { _ = try object(line) }
    }

    @Test func formatsParseFromTheirNames() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "human") == .human)
        #expect(LogFormat(rawValue: "xml") == nil)
    }
}
