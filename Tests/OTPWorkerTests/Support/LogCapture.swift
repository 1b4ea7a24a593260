import Foundation
import Kafka
import Logging
import Primitives
import Testing

/// Collects every log line of a stack (worker, provider client, Kafka clients) at trace level,
/// and the secrets the test came across, to check that none reached a log line.
final class LogCapture: Sendable {
    struct Line: Sendable, CustomStringConvertible {
        var level: Logger.Level
        var label: String
        var message: String
        var metadata: [String: String]

        var description: String {
            let rendered = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return "[\(level)] \(label): \(message) \(rendered)"
        }
    }

    private let storage = Locked<[Line]>([])
    private let secrets = Locked<Set<String>>([])

    var lines: [Line] { storage.withLock { $0 } }

    /// A logger at trace level that writes here.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in Handler(capture: self, label: label) }
        logger.logLevel = .trace
        return logger
    }

    /// Something that must never be logged: a code, a password, its key, a full phone number.
    func noteSecret(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { _ = $0.insert(secret) }
    }

    /// Records an issue for every line that holds a noted secret, a token (JWTs start `eyJ`)
    /// or a whole phone number of the kind the tests use (10 digits starting with 9).
    func expectNoSecrets(sourceLocation: SourceLocation = #_sourceLocation) {
        let secrets = self.secrets.withLock { $0 }
        for line in lines {
            let text = line.description
            if text.contains("eyJ") {
                Issue.record("a token reached the logs: \(line.label) \(line.message)", sourceLocation: sourceLocation)
            }
            if Self.containsPhoneNumber(text) {
                Issue.record("an unmasked phone number reached the logs: \(line)", sourceLocation: sourceLocation)
            }
            for secret in secrets where Self.containsToken(text, secret) {
                Issue.record("a secret reached the logs in: \(line.label) \(line.message)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Whether `text` holds `secret` as a token of its own, not inside a longer run of letters
    /// and digits: a four-digit code inside an instance id such as `w1055`, or inside a port,
    /// is a coincidence, not a leak.
    static func containsToken(_ text: String, _ secret: String) -> Bool {
        let characters = Array(text.utf8)
        let needle = Array(secret.utf8)
        guard !needle.isEmpty, characters.count >= needle.count else { return false }
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        for start in 0...(characters.count - needle.count) where characters[start..<(start + needle.count)].elementsEqual(needle) {
            let before = start == 0 ? nil : characters[start - 1]
            let afterIndex = start + needle.count
            let after = afterIndex == characters.count ? nil : characters[afterIndex]
            let boundedBefore = before.map { !isWordByte($0) || !isWordByte(needle.first!) } ?? true
            let boundedAfter = after.map { !isWordByte($0) || !isWordByte(needle.last!) } ?? true
            if boundedBefore && boundedAfter { return true }
        }
        return false
    }

    /// Whether `text` holds a run of exactly ten digits starting with 9 (`freshMobileNumber()`).
    static func containsPhoneNumber(_ text: String) -> Bool {
        var run = 0
        var first: Character = " "
        for character in text + " " {
            if character.isASCII, character.isNumber {
                if run == 0 { first = character }
                run += 1
            } else {
                if run == 10, first == "9" { return true }
                run = 0
            }
        }
        return false
    }

    /// Prints the lines that explain group, commit and provider behaviour, for a failing test's
    /// output (provider requests that got no answer are logged at debug level, with the reason).
    func dump() {
        for line in lines where line.level >= .notice || line.message.contains("revoked") || line.message.contains("assigned")
            || line.message.contains("commit") || line.message.contains("stopp") || line.message.contains("abandon")
            || line.message.contains("without an answer") || line.message.contains("retry") {
            print(line)
        }
    }

    fileprivate func append(_ line: Line) {
        storage.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var rendered = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            if let error = event.error { rendered["error"] = "\(error)" }
            capture.append(Line(level: event.level, label: label, message: "\(event.message)", metadata: rendered))
        }
    }
}
