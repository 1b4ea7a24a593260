import Foundation
import Logging
import OTPWorker
import Testing
import Kafka

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
