import Foundation
import Kafka
import Logging
import MessageCentral
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// The processor with the in-memory provider (our own interface's twin): pure decision logic
/// across repeated reads of one record. The same paths run over HTTP in the end-to-end tests.
@Suite("Record processor decisions", .timeLimit(.minutes(1)))
struct RecordProcessorTests {
    func makeProcessor() async throws -> (RecordProcessor, ProviderGate, ProcessorFixture) {
        let fixture = try await ProcessorFixture()
        return (fixture.processor, fixture.gate, fixture)
    }

    @Test("a send that completed after its partition went is published when the partition comes back, with no second provider call")
    func unpublishedSendIsAdopted() async throws {
        let (processor, gate, fixture) = try await makeProcessor()
        defer { gate.stop() }
        let record = fixture.request("adopt-1", offset: 7)

        // The partition went while the call ran: the result is stale and is not published.
        let (first, _) = await processor.decide(record, mayStart: { true }, isCurrent: { false })
        guard case .outcome(.sent(let sent), _, _) = first else { Issue.record("expected otp.sent, got \(first)"); return }
        #expect(fixture.sends == 1)

        // The partition is back and the record is read again: publish that very result.
        let (second, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .adopt(let unpublished, let key) = second else { Issue.record("expected adopt, got \(second)"); return }
        #expect(unpublished.type == "otp.sent")
        #expect(key == RememberedOutcome.key(requestId: "adopt-1"))
        let payload = String(decoding: unpublished.payload, as: UTF8.self)
        #expect(payload.contains(#""verificationId":"\#(sent.verificationId)""#))
        #expect(fixture.sends == 1, "the provider must not be called again")

        // Adopted while owned, it is the key's outcome now: a third read re-emits it.
        let (third, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .replay(let replayed) = third else { Issue.record("expected replay, got \(third)"); return }
        #expect(replayed == unpublished)
        #expect(fixture.sends == 1)
    }

    @Test("a stale result the topic contradicts is not adopted: the topic's outcome is re-emitted")
    func topicOutcomeWinsOverUnpublished() async throws {
        let (processor, gate, fixture) = try await makeProcessor()
        defer { gate.stop() }
        let record = fixture.request("adopt-2", offset: 8)
        _ = await processor.decide(record, mayStart: { true }, isCurrent: { false })

        // Meanwhile the next owner answered; its entry is loaded when the partition comes back.
        let theirs = RememberedOutcome(type: "otp.failed", payload: Array(#"{"reason":"REQUEST_ALREADY_EXISTS"}"#.utf8))
        processor.idempotency.forget(origins: [record.topicPartition])
        processor.idempotency.preload([(key: RememberedOutcome.key(requestId: "adopt-2"), outcome: theirs, at: Date())])

        let (second, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .replay(let replayed) = second else { Issue.record("expected replay, got \(second)"); return }
        #expect(replayed == theirs)
        #expect(fixture.sends == 1)
    }
}
