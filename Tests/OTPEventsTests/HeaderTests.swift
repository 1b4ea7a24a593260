import Foundation
import KafkaCore
import OTPEvents
import Testing

@Suite("Output and dead-letter headers", .timeLimit(.minutes(1)))
struct HeaderTests {
    @Test("CloudEvents binary-mode headers for an output without a cause")
    func cloudEvents() throws {
        let builder = CloudEventHeaders(source: "urn:otp-worker:host:42")
        let headers = builder.headers(type: "otp.verified", time: OutputFixtures.time, cause: InputContext())
        #expect(headers.map(\.name) == ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"])
        #expect(headers.last(named: "ce_specversion")?.stringValue == "1.0")
        #expect(headers.last(named: "ce_source")?.stringValue == "urn:otp-worker:host:42")
        #expect(headers.last(named: "ce_type")?.stringValue == "otp.verified")
        #expect(headers.last(named: "ce_time")?.stringValue == "2026-11-26T20:01:02.345Z")
        #expect(headers.last(named: "content-type")?.stringValue == "application/json")
        let id = try #require(headers.last(named: "ce_id")?.stringValue)
        #expect(UUID(uuidString: id) != nil)
        let other = builder.headers(type: "otp.verified", time: OutputFixtures.time, cause: InputContext())
        #expect(other.last(named: "ce_id")?.stringValue != id)
    }

    @Test("a cause adds traceparent, tracestate and otp_causation_id")
    func withCause() {
        let cause = InputContext(ceID: "evt-1", traceparent: CloudEventsInputTests.traceparent, tracestate: "a=1")
        let headers = CloudEventHeaders(source: "s").headers(type: "otp.failed", time: OutputFixtures.time, cause: cause)
        #expect(Array(headers.map(\.name).suffix(3)) == ["traceparent", "tracestate", "otp_causation_id"])
        #expect(headers.last(named: "otp_causation_id")?.stringValue == "evt-1")
    }

    @Test("DLQ headers keep the input's and append otp.errors.*")
    func deadLetter() {
        let original = [KafkaHeader(name: "ce_id", string: "e"), KafkaHeader(name: "x", value: nil), KafkaHeader(name: "ce_id", string: "e2")]
        let headers = DeadLetterHeaders.headers(
            original: original, topic: "otp.requested", partition: 3, offset: 9_000_000_000, stage: .decode,
            reason: "INVALID_EVENT", message: "mobileNumber: must be 4 to 15 ASCII digits"
        )
        #expect(Array(headers.prefix(3)) == original)
        #expect(headers.dropFirst(3).map(\.name) == DeadLetterHeaders.names)
        #expect(headers.dropFirst(3).map { $0.stringValue ?? "" } == [
            "otp.requested", "3", "9000000000", "decode", "INVALID_EVENT", "mobileNumber: must be 4 to 15 ASCII digits",
        ])
    }
}
