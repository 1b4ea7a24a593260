import Foundation
import Kafka
import Logging
import MessageCentral
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// A record processor over the in-memory provider (our own interface's twin), with an open
/// provider gate: the decision logic without Kafka and without HTTP.
struct ProcessorFixture {
    let configuration = WorkerConfiguration(instanceID: "unit")
    let provider: InMemoryVerificationProvider
    let processor: RecordProcessor
    let gate: ProviderGate

    /// - Parameter provider: the twin to decide against; a plain one unless a test needs its options.
    init(provider: InMemoryVerificationProvider = InMemoryVerificationProvider()) async throws {
        self.provider = provider
        let released = Locked(false)
        gate = ProviderGate(
            provider: provider, logger: Logger(label: "test.gate"),
            observer: .init(held: { _ in }, released: { released.withLock { $0 = true } }))
        gate.start()
        try await eventually("the gate opens") { released.withLock { $0 } }
        processor = RecordProcessor(
            configuration: configuration, decoder: EventDecoder(), provider: provider, gate: gate,
            idempotency: IdempotencyRegistry(retention: .seconds(600), maximumEntries: 100),
            metrics: PipelineMetrics(), guardian: nil, logger: Logger(label: "test.processor"), now: { Date() })
    }

    /// Stops the gate's probe; call once done.
    func stop() { gate.stop() }

    /// Sends the provider took (the gate's probe is not one).
    var sends: Int {
        provider.calls.filter { if case .send = $0 { true } else { false } }.count
    }

    /// Validations the provider took.
    var validations: Int {
        provider.calls.filter { if case .validate = $0 { true } else { false } }.count
    }

    /// An `otp.requested` record at `offset` of partition 0, written now.
    func request(_ id: String, offset: Int64, headers: [KafkaHeader] = []) -> KafkaConsumerRecord {
        let json = #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"9876543210"}"#
        return record(topic: configuration.topics.requested, key: id, json: json, offset: offset, headers: headers)
    }

    /// An `otp.submitted` record at `offset` of partition 0, written now.
    func submission(verificationId: String, code: String, submissionId: String?, offset: Int64) -> KafkaConsumerRecord {
        let id = submissionId.map { #","submissionId":"\#($0)""# } ?? ""
        let json = #"{"verificationId":"\#(verificationId)","code":"\#(code)"\#(id)}"#
        return record(topic: configuration.topics.submitted, key: verificationId, json: json, offset: offset)
    }

    /// A record of `topic` carrying `json` as its value.
    func record(topic: String, key: String, json: String, offset: Int64, headers: [KafkaHeader] = []) -> KafkaConsumerRecord {
        KafkaConsumerRecord(
            topic: topic, partition: 0, offset: offset, key: Array(key.utf8), value: Array(json.utf8),
            headers: headers, timestampMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }
}
