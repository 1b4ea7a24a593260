import Foundation
import OTPEvents
import Testing

@testable import OTPWorker

@Suite("Idempotency records and expiry (pure)")
struct RememberedOutcomeTests {
    @Test("an idempotency record's value reads back to the same type, payload bytes and time")
    func roundTrip() throws {
        let output = OTPOutput.sent(OTPSent(
            requestId: "r1", verificationId: "v1", countryCode: "91", mobileNumber: "9876543210", flowType: .sms,
            timeoutSeconds: 60, transactionId: nil, sentAt: Date(timeIntervalSince1970: 1_795_000_000.123), metadata: ["a": "b"]))
        let remembered = RememberedOutcome(output)
        let at = Date(timeIntervalSince1970: 1_795_000_001.5)
        let parsed = try #require(RememberedOutcome.parse(recordValue: remembered.recordValue(at: at)))
        #expect(parsed.outcome == remembered)
        #expect(parsed.outcome.payload == output.encoded())
        #expect(abs(parsed.at.timeIntervalSince(at)) < 0.001)
    }

    @Test("the first emission's identity is kept in the record, and values written without it still load")
    func emissionRoundTrip() throws {
        let emission = Emission(
            id: "0b6e9b1c-6f43-4a8e-9b7a-2d1c5e8f9a01", source: "urn:otp-worker:host \"a\":1", milliseconds: 1_795_000_000_123,
            input: Emission.Input(topic: "otp.requested", partition: 2, offset: 41))
        let remembered = RememberedOutcome(type: "otp.sent", payload: Array(#"{"requestId":"r1"}"#.utf8), emission: emission)
        let parsed = try #require(RememberedOutcome.parse(recordValue: remembered.recordValue(at: Date())))
        #expect(parsed.outcome == remembered)
        #expect(parsed.outcome.emission == emission)

        let old = try #require(RememberedOutcome.parse(recordValue: Array(#"{"type":"otp.sent","at":1,"payload":{"a":1}}"#.utf8)))
        #expect(old.outcome.emission == nil)
        #expect(parsedPayload(old) == #"{"a":1}"#)
    }

    @Test("a record not laid out as recordValue writes it is read whole, its payload written out again")
    func otherLayouts() throws {
        let payloadFirst = try #require(RememberedOutcome.parse(recordValue: Array(#"{"payload":{"b":1,"a":"x/y"},"type":"otp.sent","at":5000}"#.utf8)))
        #expect(parsedPayload(payloadFirst) == #"{"a":"x/y","b":1}"#)
        #expect(payloadFirst.at == Date(timeIntervalSince1970: 5))
        // A nested "payload" member comes first: the quick split fails and the whole record is read.
        let nested = try #require(RememberedOutcome.parse(recordValue: Array(#"{"type":"otp.failed","x":{"k":1,"payload":{}},"at":1,"payload":{"a":1}}"#.utf8)))
        #expect(nested.outcome.type == "otp.failed")
        #expect(parsedPayload(nested) == #"{"a":1}"#)
        // Laid out as written: the payload's own bytes, spacing and key order included.
        let exact = try #require(RememberedOutcome.parse(recordValue: Array(#"{"type":"otp.sent","at":1,"payload":{"z":1, "a":2}}"#.utf8)))
        #expect(parsedPayload(exact) == #"{"z":1, "a":2}"#)
    }

    func parsedPayload(_ parsed: (outcome: RememberedOutcome, at: Date)) -> String {
        String(decoding: parsed.outcome.payload, as: UTF8.self)
    }

    @Test("values that are not idempotency records are ignored")
    func foreignValues() {
        for text in ["", "null", "[]", #"{"type":"otp.sent"}"#, #"{"type":"otp.other","at":1,"payload":{}}"#, #"{"type":"otp.sent","at":"x","payload":{}}"#,
                     #"{"type":"otp.sent","at":1,"payload":[]}"#, #"{"type":"otp.sent","at":1,,"payload":{}}"#, #"{,"payload":{}}"#] {
            #expect(RememberedOutcome.parse(recordValue: Array(text.utf8)) == nil, "\(text)")
        }
    }

    @Test("expiry by requestedAt first, else by the record timestamp; unknown time never expires")
    func expiry() {
        let policy = ExpiryPolicy(maxRequestAge: .seconds(600))
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        var request = OTPRequested(requestId: "r", countryCode: "91", mobileNumber: "9876543210")
        #expect(!policy.isExpired(request, timestampMilliseconds: nil, now: now))
        #expect(policy.isExpired(request, timestampMilliseconds: Int64(now.addingTimeInterval(-601).timeIntervalSince1970 * 1000), now: now))
        #expect(!policy.isExpired(request, timestampMilliseconds: Int64(now.addingTimeInterval(-599).timeIntervalSince1970 * 1000), now: now))
        request.requestedAt = now.addingTimeInterval(-30)
        #expect(!policy.isExpired(request, timestampMilliseconds: 1, now: now), "requestedAt wins over an old timestamp")
        request.requestedAt = now.addingTimeInterval(-3600)
        #expect(policy.isExpired(request, timestampMilliseconds: Int64(now.timeIntervalSince1970 * 1000), now: now))
    }
}
