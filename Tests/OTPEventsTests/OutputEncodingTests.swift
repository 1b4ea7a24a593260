import Foundation
import OTPEvents
import Testing

@Suite("Output encoding", .timeLimit(.minutes(1)))
struct OutputEncodingTests {
    static func text(_ output: OTPOutput) -> String {
        String(decoding: output.encoded(), as: UTF8.self)
    }

    @Test("otp.sent: contract order, explicit null transactionId, sorted metadata")
    func sent() {
        #expect(
            Self.text(.sent(OutputFixtures.sent))
                == #"{"requestId":"req-1","verificationId":"2893471","countryCode":"91","mobileNumber":"9876543210","#
                + #""flowType":"WHATSAPP","timeoutSeconds":60,"transactionId":null,"sentAt":"2026-11-26T20:01:02.345Z","#
                + #""metadata":{"a":"1","tenant":"acme"}}"#
        )
    }

    @Test("otp.sent resumed: resumed true after sentAt; an ordinary send has no resumed field at all")
    func sentResumed() {
        #expect(
            Self.text(.sent(OutputFixtures.sentResumed))
                == #"{"requestId":"req-2","verificationId":"2893471","countryCode":"91","mobileNumber":"9876543210","#
                + #""flowType":"SMS","timeoutSeconds":42,"transactionId":"txn-1","sentAt":"2026-11-26T20:01:02.345Z","#
                + #""resumed":true}"#
        )
        #expect(!Self.text(.sent(OutputFixtures.sent)).contains("resumed"))
        var withMetadata = OutputFixtures.sentResumed
        withMetadata.metadata = ["k": "v"]
        #expect(Self.text(.sent(withMetadata)).hasSuffix(#""resumed":true,"metadata":{"k":"v"}}"#))
    }

    @Test("otp.verified: absent ids and metadata are left out, transactionId is kept")
    func verified() {
        #expect(
            Self.text(.verified(OutputFixtures.verified))
                == #"{"verificationId":"2893471","submissionId":"sub-1","verifiedAt":"2026-11-26T20:01:02.345Z","transactionId":"txn-9"}"#
        )
    }

    @Test("otp.failed: every id and providerCode present, null when absent; strings escaped")
    func failed() {
        #expect(
            Self.text(.failed(OutputFixtures.failed))
                == #"{"stage":"verify","reason":"WRONG_OTP_PROVIDED","providerCode":702,"message":"the provider says \"wrong\"\n","#
                + #""retryable":false,"requestId":null,"verificationId":"2893471","submissionId":null,"failedAt":"2026-11-26T20:01:02.345Z"}"#
        )
    }

    @Test("otp.failed from a decoding error echoes the partial ids")
    func decodeFailure() {
        #expect(
            Self.text(.failed(OutputFixtures.decodeFailure))
                == #"{"stage":"decode","reason":"INVALID_EVENT","providerCode":null,"message":"mobileNumber: must be 4 to 15 ASCII digits","#
                + #""retryable":false,"requestId":"req-1","verificationId":null,"submissionId":null,"failedAt":"2026-11-26T20:01:02.345Z","#
                + #""metadata":{"k":"v"}}"#
        )
    }

    @Test("otp.failed RATE_LIMITED: retryAfterSeconds last, after metadata")
    func rateLimited() {
        #expect(
            Self.text(.failed(OutputFixtures.rateLimited))
                == #"{"stage":"send","reason":"RATE_LIMITED","providerCode":null,"message":"5 sends to this number within 10m already (--guard-number-limit); the next is admitted in 42s","#
                + #""retryable":true,"requestId":"req-0003","verificationId":null,"submissionId":null,"failedAt":"2026-11-26T20:01:02.345Z","#
                + #""metadata":{"tenant":"acme"},"retryAfterSeconds":42}"#
        )
        var withoutMetadata = OutputFixtures.rateLimited
        withoutMetadata.metadata = nil
        #expect(Self.text(.failed(withoutMetadata)).hasSuffix(#""failedAt":"2026-11-26T20:01:02.345Z","retryAfterSeconds":42}"#))
    }

    @Test("otp.failed without retryAfterSeconds has no such field at all, SEND_BLOCKED included")
    func noRetryAfterSeconds() {
        #expect(
            Self.text(.failed(OutputFixtures.sendBlocked))
                == #"{"stage":"send","reason":"SEND_BLOCKED","providerCode":null,"message":"country calling code +92 is not on the allow-list (--guard-allow-countries)","#
                + #""retryable":false,"requestId":"req-0004","verificationId":null,"submissionId":null,"failedAt":"2026-11-26T20:01:02.345Z"}"#
        )
        for failed in [OutputFixtures.failed, OutputFixtures.decodeFailure, OutputFixtures.sendBlocked] {
            #expect(!Self.text(.failed(failed)).contains("retryAfterSeconds"))
        }
    }

    @Test("control characters and non-ASCII survive a round trip through JSONSerialization")
    func escaping() throws {
        var failed = OutputFixtures.failed
        failed.message = "tab\t nul\u{0} bell\u{7} é 😀 \\ /"
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OTPOutput.failed(failed).encoded())) as? [String: Any])
        #expect(object["message"] as? String == failed.message)
    }

    @Test("event types are the default topic names")
    func eventTypes() {
        #expect(OutputFixtures.all.map(\.eventType) == ["otp.sent", "otp.sent", "otp.verified", "otp.failed", "otp.failed", "otp.failed", "otp.failed"])
    }

    @Test("retryable reasons are the contract's")
    func retryable() {
        #expect(OTPFailed.retryableReasons == ["PROVIDER_UNAVAILABLE", "SERVER_ERROR", "UNAUTHORIZED", "MAXIMUM_LIMIT_REACHED", "REQUEST_ALREADY_EXISTS", "RATE_LIMITED"])
        #expect(OTPFailed.retryableReasons.isSubset(of: Set(OTPFailed.knownReasons)))
        #expect(Set(["RATE_LIMITED", "SEND_BLOCKED"]).isSubset(of: Set(OTPFailed.knownReasons)))
        #expect(!OTPFailed.retryableReasons.contains("SEND_BLOCKED"))
    }
}
