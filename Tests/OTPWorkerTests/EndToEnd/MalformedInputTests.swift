import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import Testing

@testable import OTPWorker

@Suite("End to end: unreadable input goes to the DLQ", .timeLimit(.minutes(2)))
struct MalformedInputTests {
    struct Case: Sendable {
        var name: String
        /// The input topic's contract name; the stack's own is `stack.cluster.topic(topic)`.
        var topic: String
        var key: [UInt8]?
        var value: [UInt8]?
    }

    static let corpus: [Case] = [
        Case(name: "not JSON", topic: "otp.requested", key: Array("k-notjson".utf8), value: Array("hello".utf8)),
        Case(name: "a JSON array", topic: "otp.requested", key: Array("k-array".utf8), value: Array(#"[{"requestId":"x"}]"#.utf8)),
        Case(name: "missing fields", topic: "otp.requested", key: Array("k-missing".utf8), value: Array(#"{"requestId":"bad-missing"}"#.utf8)),
        Case(name: "letters in numbers", topic: "otp.requested", key: Array("k-letters".utf8),
             value: Array(#"{"requestId":"bad-letters","countryCode":"91","mobileNumber":"98765abc21"}"#.utf8)),
        Case(name: "out-of-range length", topic: "otp.requested", key: Array("k-length".utf8),
             value: Array(#"{"requestId":"bad-length","countryCode":"91","mobileNumber":"9876543210","otpLength":12}"#.utf8)),
        Case(name: "a code too short", topic: "otp.submitted", key: Array("k-code".utf8),
             value: Array(#"{"verificationId":"v-1","code":"12","submissionId":"bad-code"}"#.utf8)),
        Case(name: "invalid UTF-8", topic: "otp.requested", key: Array("k-utf8".utf8),
             value: Array(#"{"requestId":""#.utf8) + [0xC3, 0x28] + Array(#"","countryCode":"91","mobileNumber":"9876543210"}"#.utf8)),
        Case(name: "an empty value", topic: "otp.requested", key: Array("k-empty".utf8), value: []),
        Case(name: "a null value", topic: "otp.submitted", key: Array("k-null".utf8), value: nil),
        Case(name: "a null key and a bad value", topic: "otp.requested", key: nil, value: Array("{".utf8)),
        Case(name: "a 1 MB value", topic: "otp.requested", key: Array("k-huge".utf8),
             value: Array(#"{"requestId":"bad-huge","countryCode":"91","mobileNumber":"9876543210","pad":""#.utf8)
                + Array(repeating: UInt8(ascii: "x"), count: 1_048_000) + Array(#""}"#.utf8)),
    ]

    @Test("every malformed input ends in otp.dlq with its bytes and error headers, plus otp.failed stage decode; good events around it are handled")
    func corpus() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            let before = freshMobileNumber(), after = freshMobileNumber()
            try await stack.publish(stack.topics.requested, key: "good-before",
                                    json: #"{"requestId":"good-before","countryCode":"91","mobileNumber":"\#(before)"}"#)
            var reports: [String: KafkaDeliveryReport] = [:]
            for item in Self.corpus {
                reports[item.name] = try await stack.publish(stack.cluster.topic(item.topic), key: item.key, value: item.value,
                                                             headers: [KafkaHeader(name: "x-case", string: item.name)])
            }
            try await stack.publish(stack.topics.requested, key: "good-after",
                                    json: #"{"requestId":"good-after","countryCode":"91","mobileNumber":"\#(after)"}"#)

            try await stack.outputs.wait(timeout: .seconds(30), "every case dead-lettered and both good events sent") { outputs in
                outputs.filter { $0.topic == stack.topics.deadLetter }.count >= Self.corpus.count
                    && outputs.filter { $0.topic == stack.topics.failed }.count >= Self.corpus.count
                    && outputs.filter { $0.topic == stack.topics.sent }.count >= 2
            }
            let dlq = stack.outputs.on(stack.topics.deadLetter)
            let failed = stack.outputs.on(stack.topics.failed)
            #expect(dlq.count == Self.corpus.count)
            #expect(failed.count == Self.corpus.count)
            #expect(Set(stack.outputs.on(stack.topics.sent).compactMap { $0.string("requestId") }) == ["good-before", "good-after"])
            for item in Self.corpus {
                let report = try #require(reports[item.name])
                guard let letter = dlq.first(where: { $0.header("x-case") == item.name }) else {
                    Issue.record("no DLQ record for \(item.name)")
                    continue
                }
                #expect(letter.record.key == item.key, "\(item.name): key unchanged")
                #expect(letter.record.value == item.value || (item.value == [] && letter.record.value == nil) || (item.value == nil && letter.record.value == []),
                        "\(item.name): value unchanged")
                #expect(letter.header("otp.errors.topic") == stack.cluster.topic(item.topic))
                #expect(letter.header("otp.errors.partition") == "\(report.partition)")
                #expect(letter.header("otp.errors.offset") == "\(report.offset)")
                #expect(letter.header("otp.errors.stage") == "decode")
                #expect(letter.header("otp.errors.reason") == "INVALID_EVENT")
                #expect(letter.header("otp.errors.message")?.isEmpty == false)
            }
            for failure in failed {
                #expect(failure.string("stage") == "decode")
                #expect(failure.string("reason") == "INVALID_EVENT")
                #expect((failure.json["retryable"] as? Bool) == false)
                #expect(failure.json["providerCode"] is NSNull)
                #expect(failure.json["retryAfterSeconds"] == nil, "only RATE_LIMITED carries retryAfterSeconds")
            }
            #expect(failed.contains { $0.string("requestId") == "bad-letters" }, "identifiers of a readable object are echoed")
            #expect(stack.sandbox.stats.sends == 2)
        }
    }
}
