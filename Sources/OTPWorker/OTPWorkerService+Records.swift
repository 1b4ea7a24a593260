#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import MessageCentral
import OTPEvents

extension OTPWorkerService {
    /// Runs the records of one lane in order, until the lane is empty.
    func runLane(_ lane: WorkLane, first: KafkaConsumerRecord, generation: UInt64) async {
        var next: (record: KafkaConsumerRecord, generation: UInt64)? = (first, generation)
        while let (record, generation) = next {
            await handle(record, lane: lane, generation: generation)
            next = lanes.finish(lane: lane, generation: generation)
        }
    }

    /// Decides, publishes and marks one record done (or abandons it).
    func handle(_ record: KafkaConsumerRecord, lane: WorkLane, generation: UInt64) async {
        let partition = record.topicPartition
        let lanes = self.lanes
        let (decision, context) = await processor.decide(
            record, mayStart: { lanes.mayStart(partition, generation: generation) },
            isCurrent: { lanes.isCurrent(partition, generation: generation) })
        // Publishing waits for brokers, not for the provider: the next record may take this
        // one's provider slot meanwhile.
        lanes.decided(lane: lane)
        let outputs: [KafkaProducerRecord]
        var memory: KafkaProducerRecord?
        // What was published, for metrics and the log line; nil for an adopted outcome, which
        // is known by its encoded form only.
        var outcome: OTPOutput?
        switch decision {
        case .abandon(let why):
            metrics.abandoned()
            logger.debug("record abandoned: \(why)", metadata: recordMetadata(record))
            return
        case .outcome(let output, let encoded, let remember):
            outcome = output
            outputs = [producerRecord(for: output, payload: encoded.payload, input: record, context: context)]
            memory = remember.map { idempotencyRecord(key: $0, outcome: encoded, input: record) }
        case .replay(let first):
            outputs = [reemitted(first, for: record, context: context)]
                + (Self.decodeFailureMessage(first).map { [deadLetter(record, message: $0)] } ?? [])
            guard await publish([outputs], for: record, generation: generation) else { return }
            metrics.outcome(type: first.type, reason: first.type == "otp.failed" ? "replayed" : nil)
            logger.info("\(first.type) re-emitted for a repeated key", metadata: recordMetadata(record))
            return
        case .adopt(let unpublished, let key):
            // Never published anywhere: memory, then the outcome, as for a fresh one.
            outputs = [reemitted(unpublished, for: record, context: context)]
            memory = idempotencyRecord(key: key, outcome: unpublished, input: record)
        case .deadLetter(let error):
            let failed = OTPOutput.failed(OTPFailed(
                stage: .decode, reason: "INVALID_EVENT", providerCode: nil, message: error.message, retryable: false,
                requestId: error.partial.requestId, verificationId: error.partial.verificationId,
                submissionId: error.partial.submissionId, failedAt: Date(), metadata: error.partial.metadata))
            outcome = failed
            let encoded = RememberedOutcome(failed)
            outputs = [
                producerRecord(for: failed, payload: encoded.payload, input: record, context: context),
                deadLetter(record, message: error.message),
            ]
            // Remembered by position, so the record read again re-emits this very outcome.
            let position = RememberedOutcome.key(topic: record.topic, partition: record.partition, offset: record.offset)
            processor.idempotency.remember(
                position, outcome: encoded, origin: partition,
                isCurrent: { lanes.isCurrent(partition, generation: generation) })
            memory = idempotencyRecord(key: position, outcome: encoded, input: record)
        }
        // The memory first: if the process dies between the two, the next owner re-emits this
        // outcome from memory instead of calling the provider again and answering differently.
        let stages = (memory.map { [[$0]] } ?? []) + [outputs]
        guard await publish(stages, for: record, generation: generation) else { return }
        if let outcome {
            metrics.outcome(outcome)
            if case .deadLetter = decision { metrics.outcome(type: "otp.dlq", reason: "INVALID_EVENT") }
            log(outcome, record: record)
        } else if case .adopt(let adopted, _) = decision {
            metrics.outcome(type: adopted.type, reason: adopted.type == "otp.failed" ? Self.payloadField("reason", of: adopted) : nil)
            logger.info(
                "\(adopted.type) published from a result decided while the partition was away; the provider was not called again",
                metadata: recordMetadata(record))
        }
    }

    /// Publishes `stages` in order (see `OutputPublisher`) and marks `record` done once all are
    /// acknowledged; false when the partition went (results of an older assignment are dropped:
    /// the next owner redoes them) or the worker stopped first.
    private func publish(
        _ stages: [[KafkaProducerRecord]], for record: KafkaConsumerRecord, generation: UInt64
    ) async -> Bool {
        let partition = record.topicPartition
        let lanes = self.lanes
        guard lanes.isCurrent(partition, generation: generation) else {
            metrics.abandoned()
            return false
        }
        let published = await publisher.publish(stages, keepTrying: { lanes.isCurrent(partition, generation: generation) })
        guard published else {
            metrics.abandoned()
            logger.warning("outputs not acknowledged before the partition went or the worker stopped; the record will be read again",
                           metadata: recordMetadata(record))
            return false
        }
        consumer.markDone(record)
        return true
    }

    /// The idempotency record of a first outcome: same partition number as the input
    /// (co-partitioned), keyed by the idempotency key so compaction keeps the latest.
    private func idempotencyRecord(key: String, outcome: RememberedOutcome, input: KafkaConsumerRecord) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: configuration.topics.idempotency, partition: input.partition, key: Array(key.utf8),
            value: outcome.recordValue(at: Date()))
    }

    /// The DLQ copy of an unreadable record: its key, bytes, headers and timestamp, plus the
    /// `otp.errors.*` headers.
    private func deadLetter(_ record: KafkaConsumerRecord, message: String) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: configuration.topics.deadLetter, key: record.key, value: record.value,
            headers: DeadLetterHeaders.headers(
                original: record.headers, topic: record.topic, partition: record.partition,
                offset: record.offset, stage: .decode, reason: "INVALID_EVENT", message: message),
            timestampMilliseconds: record.timestampMilliseconds)
    }

    /// A remembered outcome published again, byte for byte, with fresh CloudEvents headers.
    private func reemitted(_ outcome: RememberedOutcome, for record: KafkaConsumerRecord, context: InputContext) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: configuration.topics.output(forType: outcome.type), key: record.key, value: outcome.payload,
            headers: headers.headers(type: outcome.type, time: Date(), cause: context))
    }

    /// A string field of a remembered outcome's payload (rare paths only: it parses the JSON).
    static func payloadField(_ name: String, of outcome: RememberedOutcome) -> String? {
        JSONValue(parsing: outcome.payload)?.objectValue?[name]?.stringValue
    }

    /// The message of a remembered decode failure (its DLQ copy goes out again with it), or nil.
    static func decodeFailureMessage(_ outcome: RememberedOutcome) -> String? {
        guard outcome.type == "otp.failed", payloadField("stage", of: outcome) == "decode" else { return nil }
        return payloadField("message", of: outcome) ?? "unreadable input"
    }

    private func producerRecord(
        for output: OTPOutput, payload: [UInt8], input: KafkaConsumerRecord, context: InputContext
    ) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic(for: output), key: input.key, value: payload,
            headers: headers.headers(type: output.eventType, time: Date(), cause: context))
    }

    private func topic(for output: OTPOutput) -> String {
        switch output {
        case .sent: configuration.topics.sent
        case .verified: configuration.topics.verified
        case .failed: configuration.topics.failed
        }
    }

    private func recordMetadata(_ record: KafkaConsumerRecord) -> Logger.Metadata {
        [KafkaLogKey.partition: "\(record.topicPartition)", KafkaLogKey.offset: "\(record.offset)"]
    }

    /// One line per outcome: ids, masked phone numbers, never codes.
    private func log(_ output: OTPOutput, record: KafkaConsumerRecord) {
        var metadata = recordMetadata(record)
        switch output {
        case .sent(let sent):
            metadata[WorkerLogKey.requestID] = "\(sent.requestId)"
            metadata[WorkerLogKey.verificationID] = "\(sent.verificationId)"
            metadata[WorkerLogKey.phone] = "\(PhoneNumberMask.mask(countryCode: sent.countryCode, nationalNumber: sent.mobileNumber))"
            logger.info("otp.sent", metadata: metadata)
        case .verified(let verified):
            metadata[WorkerLogKey.verificationID] = "\(verified.verificationId)"
            if let requestID = verified.requestId { metadata[WorkerLogKey.requestID] = "\(requestID)" }
            logger.info("otp.verified", metadata: metadata)
        case .failed(let failed):
            metadata[WorkerLogKey.stage] = "\(failed.stage.rawValue)"
            metadata[WorkerLogKey.reason] = "\(failed.reason)"
            if let requestID = failed.requestId { metadata[WorkerLogKey.requestID] = "\(requestID)" }
            if let verificationID = failed.verificationId { metadata[WorkerLogKey.verificationID] = "\(verificationID)" }
            logger.notice("otp.failed", metadata: metadata)
        }
    }
}

/// Log metadata keys of the worker (the Kafka layer's are in `KafkaLogKey`).
public enum WorkerLogKey {
    /// The input's `requestId`.
    public static let requestID = "otp.request_id"
    /// The provider's verification id.
    public static let verificationID = "otp.verification_id"
    /// A phone number, always masked.
    public static let phone = "otp.phone"
    /// `send`, `verify` or `decode`.
    public static let stage = "otp.stage"
    /// The failure reason.
    public static let reason = "otp.reason"
}
