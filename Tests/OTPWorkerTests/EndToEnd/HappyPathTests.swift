import Foundation
import Kafka
import MessageCentralSandbox
import OTPEvents
import Testing

@testable import OTPWorker

@Suite("End to end: send and verify", .timeLimit(.minutes(2)))
struct HappyPathTests {
    @Test("otp.requested → otp.sent; the right code → otp.verified; a wrong one → otp.failed WRONG_OTP_PROVIDED")
    func sendAndVerify() async throws {
        try await withWorkerStack { stack in
            try await stack.startWorker()
            let number = freshMobileNumber()
            stack.logs.noteSecret(number)
            let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            try await stack.publish(
                stack.topics.requested, key: "req-1",
                json: #"{"requestId":"req-1","countryCode":"91","mobileNumber":"\#(number)","metadata":{"userId":"u-1"}}"#,
                headers: [KafkaHeader(name: "traceparent", string: trace), KafkaHeader(name: "ce_id", string: "in-1")])
            try await stack.outputs.wait("otp.sent for req-1") { $0.contains { $0.topic == stack.topics.sent } }
            let sent = try #require(stack.outputs.on(stack.topics.sent).first)
            #expect(sent.key == "req-1")
            #expect(sent.string("requestId") == "req-1")
            #expect(sent.string("countryCode") == "91")
            #expect(sent.string("mobileNumber") == number)
            #expect(sent.string("flowType") == "SMS")
            #expect((sent.json["timeoutSeconds"] as? Int) == 60)
            #expect((sent.json["metadata"] as? [String: String]) == ["userId": "u-1"])
            #expect(sent.header("ce_specversion") == "1.0")
            #expect(sent.header("ce_type") == "otp.sent")
            #expect(sent.header("ce_source")?.hasPrefix("urn:otp-worker:") == true)
            #expect(sent.header("content-type") == "application/json")
            #expect(sent.header("traceparent") == trace)
            #expect(sent.header("otp_causation_id") == "in-1")
            let verificationID = try #require(sent.string("verificationId"))
            let code = try #require(stack.sandbox.lastCode(verificationId: verificationID))
            stack.logs.noteSecret(code)
            let wrong = code == "1111" ? "2222" : "1111"

            try await stack.publish(
                stack.topics.submitted, key: "req-1",
                json: #"{"verificationId":"\#(verificationID)","code":"\#(wrong)","requestId":"req-1","submissionId":"s-1"}"#)
            try await stack.publish(
                stack.topics.submitted, key: "req-1",
                json: #"{"verificationId":"\#(verificationID)","code":"\#(code)","requestId":"req-1","submissionId":"s-2"}"#)
            try await stack.outputs.wait("a verify failure and a verification") {
                $0.contains { $0.topic == stack.topics.verified } && $0.contains { $0.topic == stack.topics.failed }
            }
            let failed = try #require(stack.outputs.on(stack.topics.failed).first)
            #expect(failed.string("stage") == "verify")
            #expect(failed.string("reason") == "WRONG_OTP_PROVIDED")
            #expect((failed.json["retryable"] as? Bool) == false)
            #expect(failed.string("submissionId") == "s-1")
            #expect(failed.key == "req-1")
            let verified = try #require(stack.outputs.on(stack.topics.verified).first)
            #expect(verified.string("verificationId") == verificationID)
            #expect(verified.string("submissionId") == "s-2")
            #expect(verified.key == "req-1")
            #expect(stack.sandbox.stats.sends == 1)
            #expect(stack.sandbox.stats.validations == 2)
        }
    }
}
