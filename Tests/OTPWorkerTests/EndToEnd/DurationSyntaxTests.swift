import Foundation
import TestSupport
import Testing

/// Every command of the `otp-worker` executable reads durations alike: the whole table of
/// ``DurationExamples``, through each command's own argument parsing and settings.
///
/// Each process is given a second, invalid option that its command checks after the duration,
/// so it stops at once either way: a duration it accepted lets it reach the second option, and
/// the error says which one stopped it.
@Suite("Every command accepts and refuses the same duration texts", .timeLimit(.minutes(3)))
struct DurationSyntaxTests {
    /// One way a command is given a duration.
    struct Reader: Sendable, CustomTestStringConvertible {
        var name: String
        var command: String
        /// The arguments that carry `text`, then the option that must stop the command.
        var arguments: @Sendable (_ text: String) -> [String]
        var environment: @Sendable (_ text: String) -> [String: String] = { _ in [:] }
        /// What the log says when the duration was accepted (the second option stopped it).
        var acceptedSign: String
        /// What the log says when `text` was refused.
        var refusedSign: @Sendable (_ text: String) -> String
        /// Texts this reader cannot be given (an empty variable counts as unset).
        var skipped: Set<String> = []
        /// What the log says for an empty flag value (`--flag=`), which ArgumentParser refuses
        /// itself as a missing value, before any reader sees it.
        var emptySign: String?

        var testDescription: String { name }
    }

    static let credentials = ["MESSAGE_CENTRAL_CUSTOMER_ID": "C-SANDBOX", "MESSAGE_CENTRAL_PASSWORD": "sandbox"]

    static func settingRefused(_ text: String) -> String {
        "--max-request-age / OTP_MAX_REQUEST_AGE: '\(text)' is not a duration"
    }

    static func flagRefused(_ flag: String) -> @Sendable (String) -> String {
        { text in "The value '\(text)' is invalid for '\(flag) <\(flag.dropFirst(2))>': '\(text)' is not a duration" }
    }

    // `--flag=value`, so that a value beginning with `-` is still a value.
    static let readers: [Reader] = [
        Reader(
            name: "run --max-request-age", command: "run",
            arguments: { ["--max-request-age=\($0)", "--log-format", "nope"] }, environment: { _ in credentials },
            acceptedSign: "--log-format must be human or json", refusedSign: settingRefused,
            emptySign: "Missing value for '--max-request-age <max-request-age>'"),
        Reader(
            name: "run with OTP_MAX_REQUEST_AGE", command: "run",
            arguments: { _ in ["--log-format", "nope"] },
            environment: { credentials.merging(["OTP_MAX_REQUEST_AGE": $0]) { $1 } },
            acceptedSign: "--log-format must be human or json", refusedSign: settingRefused, skipped: [""]),
        Reader(
            name: "replay --max-request-age", command: "replay",
            arguments: { ["--topic", "otp.dlq", "--max-request-age=\($0)", "--format", "nope"] },
            acceptedSign: "--format must be text or json", refusedSign: settingRefused,
            emptySign: "Missing value for '--max-request-age <max-request-age>'"),
        Reader(
            name: "sandbox --token-ttl", command: "sandbox",
            arguments: { ["--token-ttl=\($0)", "--log-level", "nope"] },
            acceptedSign: "--log-level must be one of", refusedSign: flagRefused("--token-ttl"),
            emptySign: "Missing value for '--token-ttl <token-ttl>'"),
        Reader(
            name: "demo --timeout", command: "demo",
            arguments: { ["--timeout=\($0)", "--log-level", "nope"] },
            acceptedSign: "--log-level must be one of", refusedSign: flagRefused("--timeout"),
            emptySign: "Missing value for '--timeout <timeout>'"),
    ]

    @Test("the table of duration texts", arguments: readers)
    func table(reader: Reader) async throws {
        let cases = DurationExamples.accepted.map { ($0.0, true) } + DurationExamples.refused.map { ($0, false) }
        let results = try await withThrowingTaskGroup(of: (String, Bool, Int32?, String).self) { group in
            var results: [(String, Bool, Int32?, String)] = []
            // A few processes at a time: each one is short, but the machine may be small.
            var pending = cases.filter { !reader.skipped.contains($0.0) }[...]
            func startNext() {
                guard let (text, accepted) = pending.popFirst() else { return }
                group.addTask {
                    let child = try ChildWorker(
                        name: "duration", command: reader.command, arguments: reader.arguments(text),
                        environment: reader.environment(text))
                    let status = await child.waitForExit(timeout: .seconds(30))
                    let log = child.logText
                    try? FileManager.default.removeItem(at: child.log)
                    return (text, accepted, status, log)
                }
            }
            for _ in 0..<4 { startNext() }
            while let result = try await group.next() {
                results.append(result)
                startNext()
            }
            return results
        }
        for (text, accepted, status, log) in results {
            #expect(status == 64, "\(reader.name) '\(text)': exit status \(String(describing: status))\n\(log)")
            if accepted {
                #expect(log.contains(reader.acceptedSign), "\(reader.name) refused '\(text)':\n\(log)")
            } else if text.isEmpty, let emptySign = reader.emptySign {
                #expect(log.contains(emptySign), "\(reader.name) did not refuse an empty value:\n\(log)")
            } else {
                #expect(log.contains(reader.refusedSign(text)), "\(reader.name) did not refuse '\(text)' as expected:\n\(log)")
                #expect(log.contains("write a whole number of seconds (600) or a whole number with a unit ms, s, m or h"),
                        "\(reader.name): the refusal of '\(text)' states the rule:\n\(log)")
            }
        }
    }
}
