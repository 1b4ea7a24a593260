import Foundation
import Kafka
import KafkaTestSupport
import TestSupport
import Testing

@testable import OTPWorker

/// `otp-worker replay` reads brokers, topic names, sizes and Kafka options through the same
/// flags and variables as `run` (`SharedSettings`), so it judges records by the worker's own
/// settings.
@Suite("otp-worker replay: the settings run reads, read the same way", .timeLimit(.minutes(2)))
struct ReplaySettingsTests {
    @Test("renamed inputs and the event size limit, from OTP_TOPIC_* and OTP_MAX_EVENT_BYTES, and from flags")
    func renamedTopicsAndSize() async throws {
        try await withWorkerStack { stack in
            var topics = stack.topics
            topics.requested = try await stack.cluster.createTopic("acme.requested", partitions: stack.partitions)
            topics.submitted = try await stack.cluster.createTopic("acme.submitted", partitions: stack.partitions)
            // Longer than 64 bytes, well under the default limit.
            try await stack.publish(
                topics.requested, key: "big", json: #"{"requestId":"a-request-id-long-enough","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#)
            try await stack.publish(
                topics.submitted, key: "sub", json: #"{"verificationId":"v-1","code":"1234","requestId":"r-1","submissionId":"s-1"}"#)
            let brokers = ["--brokers", stack.cluster.bootstrapServers]
            var environment = [
                "OTP_TOPIC_REQUESTED": topics.requested, "OTP_TOPIC_SUBMITTED": topics.submitted,
                "OTP_TOPIC_IDEMPOTENCY": topics.idempotency, "KAFKA_OPTION_FETCH_WAIT_MAX_MS": "10",
            ]

            // Judged as a request, as it was before, a submission would be "requestId ... countryCode: is required".
            let submitted = try await Self.replay("settings-env-sub", brokers + ["--topic", topics.submitted], environment)
            #expect(Self.line("key=sub", submitted).contains("otp.submitted requestId=r-1 submissionId=s-1 → validate a 4-digit code"),
                    "\(submitted)")
            let requested = try await Self.replay("settings-env-req", brokers + ["--topic", topics.requested], environment)
            #expect(Self.line("key=big", requested).contains("→ send a"), "\(requested)")
            environment["OTP_MAX_EVENT_BYTES"] = "64"
            let small = try await Self.replay("settings-env-size", brokers + ["--topic", topics.requested], environment)
            #expect(Self.line("key=big", small).contains("→ dead-letter"), "\(small)")

            let flags = brokers + topics.runArguments + ["--kafka-option", "fetch.wait.max.ms=10"]
            let bySubmittedFlag = try await Self.replay("settings-flags-sub", flags + ["--topic", topics.submitted], [:])
            #expect(Self.line("key=sub", bySubmittedFlag).contains("→ validate"), "\(bySubmittedFlag)")
            let bySizeFlag = try await Self.replay(
                "settings-flags-size", flags + ["--max-event-bytes", "64", "--topic", topics.requested], [:])
            #expect(Self.line("key=big", bySizeFlag).contains("→ dead-letter"), "\(bySizeFlag)")
        }
    }

    @Test("a bad OTP_MAX_EVENT_BYTES stops replay before it connects, naming the flag and the variable, as it stops run")
    func badSizeRefused() async throws {
        let child = try ChildWorker(
            name: "settings-bad-size", command: "replay", arguments: ["--brokers", "127.0.0.1:1", "--topic", "otp.requested"],
            environment: ["OTP_MAX_EVENT_BYTES": "12"])
        let status = try #require(await child.waitForExit(timeout: .seconds(30)), "otp-worker replay did not exit")
        #expect(status != 0)
        #expect(child.logText.contains("--max-event-bytes / OTP_MAX_EVENT_BYTES must be between 64 and 16777216, not 12"), "\(child.logText)")
    }

    /// The first line of `output` that holds `marker`.
    static func line(_ marker: String, _ output: String) -> String {
        output.split(separator: "\n").first { $0.contains(marker) }.map(String.init) ?? ""
    }

    /// Runs `otp-worker replay` to its end and returns what it printed.
    static func replay(_ name: String, _ arguments: [String], _ environment: [String: String]) async throws -> String {
        let child = try ChildWorker(name: name, command: "replay", arguments: arguments, environment: environment)
        let status = try #require(await child.waitForExit(timeout: .seconds(60)), "otp-worker replay did not exit")
        #expect(status == 0, "\(child.logText)")
        return child.logText
    }
}
