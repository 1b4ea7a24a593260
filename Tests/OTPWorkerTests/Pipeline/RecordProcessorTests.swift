import Foundation
import Kafka
import Logging
import MessageCentral
import OTPEvents
import Testing

@testable import OTPWorker

/// The processor with the in-memory provider (our own interface's twin): pure decision logic
/// across repeated reads of one record. The same paths run over HTTP in the end-to-end tests.
@Suite("Record processor decisions", .timeLimit(.minutes(1)))
struct RecordProcessorTests {
    let configuration = WorkerConfiguration(instanceID: "unit")
    let provider = InMemoryVerificationProvider()

    /// A processor whose provider gate is open.
    func makeProcessor() async throws -> (RecordProcessor, ProviderGate) {
        let released = Locked(false)
        let gate = ProviderGate(
            provider: provider, logger: Logger(label: "test.gate"),
            observer: .init(held: { _ in }, released: { released.withLock { $0 = true } }))
        gate.start()
        try await eventually("the gate opens") { released.withLock { $0 } }
        let processor = RecordProcessor(
            configuration: configuration, decoder: EventDecoder(), provider: provider, gate: gate,
            idempotency: IdempotencyRegistry(retention: .seconds(600), maximumEntries: 100),
            metrics: PipelineMetrics(), logger: Logger(label: "test.processor"), now: { Date() })
        return (processor, gate)
    }

    /// Sends the provider took (the gate's probe is not one).
    var sends: Int {
        provider.calls.filter { if case .send = $0 { true } else { false } }.count
    }

    func request(_ id: String, offset: Int64) -> KafkaConsumerRecord {
        let json = #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"9876543210"}"#
        return KafkaConsumerRecord(
            topic: configuration.topics.requested, partition: 0, offset: offset, key: Array(id.utf8), value: Array(json.utf8),
            timestampMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }

    @Test("a send that completed after its partition went is published when the partition comes back, with no second provider call")
    func unpublishedSendIsAdopted() async throws {
        let (processor, gate) = try await makeProcessor()
        defer { gate.stop() }
        let record = request("adopt-1", offset: 7)

        // The partition went while the call ran: the result is stale and is not published.
        let (first, _) = await processor.decide(record, mayStart: { true }, isCurrent: { false })
        guard case .outcome(.sent(let sent), _, _) = first else { Issue.record("expected otp.sent, got \(first)"); return }
        #expect(sends == 1)

        // The partition is back and the record is read again: publish that very result.
        let (second, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .adopt(let unpublished, let key) = second else { Issue.record("expected adopt, got \(second)"); return }
        #expect(unpublished.type == "otp.sent")
        #expect(key == RememberedOutcome.key(requestId: "adopt-1"))
        let payload = String(decoding: unpublished.payload, as: UTF8.self)
        #expect(payload.contains(#""verificationId":"\#(sent.verificationId)""#))
        #expect(sends == 1, "the provider must not be called again")

        // Adopted while owned, it is the key's outcome now: a third read re-emits it.
        let (third, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .replay(let replayed) = third else { Issue.record("expected replay, got \(third)"); return }
        #expect(replayed == unpublished)
        #expect(sends == 1)
    }

    @Test("a stale result the topic contradicts is not adopted: the topic's outcome is re-emitted")
    func topicOutcomeWinsOverUnpublished() async throws {
        let (processor, gate) = try await makeProcessor()
        defer { gate.stop() }
        let record = request("adopt-2", offset: 8)
        _ = await processor.decide(record, mayStart: { true }, isCurrent: { false })

        // Meanwhile the next owner answered; its entry is loaded when the partition comes back.
        let theirs = RememberedOutcome(type: "otp.failed", payload: Array(#"{"reason":"REQUEST_ALREADY_EXISTS"}"#.utf8))
        processor.idempotency.forget(origins: [record.topicPartition])
        processor.idempotency.preload([(key: RememberedOutcome.key(requestId: "adopt-2"), outcome: theirs, at: Date())])

        let (second, _) = await processor.decide(record, mayStart: { true }, isCurrent: { true })
        guard case .replay(let replayed) = second else { Issue.record("expected replay, got \(second)"); return }
        #expect(replayed == theirs)
        #expect(sends == 1)
    }
}
