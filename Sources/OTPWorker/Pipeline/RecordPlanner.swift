#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Kafka
import Logging
import MessageCentral
import OTPEvents

/// Turns a ``Decision`` into a ``RecordPlan``: pure, no I/O, the same answer for the same input.
struct RecordPlanner: Sendable {
    let topics: WorkerTopics
    let headers: CloudEventHeaders

    /// The plan for `decision`, made for `record` (whose context `context` is) at `now`.
    func plan(_ decision: Decision, for record: KafkaConsumerRecord, context: InputContext, now: Date) -> RecordPlan {
        switch decision {
        case .abandon(let why):
            return RecordPlan(stages: [], counts: [], log: line(.debug, "record abandoned: \(why)", record))

        case .outcome(let output, let encoded, let remember):
            // The memory first: if the process dies between the two, the next owner re-emits
            // this outcome from memory instead of calling the provider again and answering
            // differently.
            let memory = remember.map { idempotencyRecord(key: $0, outcome: encoded, input: record, now: now) }
            let published = outputRecord(encoded, input: record, context: context, now: now)
            return RecordPlan(
                stages: (memory.map { [[$0]] } ?? []) + [[published]],
                counts: [Self.count(output, .first)], log: outcomeLine(output, record))

        case .replay(let first):
            var outputs = [outputRecord(first, input: record, context: context, now: now)]
            // Counted under the first outcome's own reason: the emission dimension tells a
            // re-emission apart, so the reasons of first outcomes stay a count of requests.
            var counts = [RecordPlan.Count(type: first.type, reason: Self.failureReason(first), emission: .reemitted)]
            // A remembered decode failure goes out with its DLQ copy again, as the first time.
            if let message = Self.decodeFailureMessage(first) {
                outputs.append(deadLetter(record, message: message))
                counts.append(.init(type: "otp.dlq", reason: "INVALID_EVENT", emission: .reemitted))
            }
            return RecordPlan(stages: [outputs], counts: counts, log: line(.info, "\(first.type) re-emitted for a repeated key", record))

        case .adopt(let unpublished, let key):
            // Never published anywhere: memory, then the outcome, as for a fresh one.
            return RecordPlan(
                stages: [
                    [idempotencyRecord(key: key, outcome: unpublished, input: record, now: now)],
                    [outputRecord(unpublished, input: record, context: context, now: now)],
                ],
                counts: [.init(type: unpublished.type, reason: Self.failureReason(unpublished), emission: .first)],
                log: line(
                    .info,
                    "\(unpublished.type) published from a result decided while the partition was away; the provider was not called again",
                    record))

        case .deadLetter(let failed, let encoded, let remember, let message):
            return RecordPlan(
                stages: [
                    [idempotencyRecord(key: remember, outcome: encoded, input: record, now: now)],
                    [
                        outputRecord(encoded, input: record, context: context, now: now),
                        deadLetter(record, message: message),
                    ],
                ],
                counts: [Self.count(failed, .first), .init(type: "otp.dlq", reason: "INVALID_EVENT", emission: .first)],
                log: outcomeLine(failed, record))
        }
    }

    /// The outcome counted for a published output.
    static func count(_ output: OTPOutput, _ emission: RecordPlan.Count.Emission) -> RecordPlan.Count {
        switch output {
        case .sent: .init(type: "otp.sent", reason: nil, emission: emission)
        case .verified: .init(type: "otp.verified", reason: nil, emission: emission)
        case .failed(let failed): .init(type: "otp.failed", reason: failed.reason, emission: emission)
        }
    }

    /// The reason of a remembered `otp.failed`, nil for other outcomes (rare paths only: it
    /// parses the JSON).
    static func failureReason(_ outcome: RememberedOutcome) -> String? {
        outcome.type == "otp.failed" ? payloadField("reason", of: outcome) : nil
    }

    /// The idempotency record of an outcome: same partition number as the input
    /// (co-partitioned), keyed by the idempotency key so compaction keeps the latest.
    private func idempotencyRecord(key: String, outcome: RememberedOutcome, input: KafkaConsumerRecord, now: Date) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topics.idempotency, partition: input.partition, key: Array(key.utf8), value: outcome.recordValue(at: now))
    }

    /// An outcome's record: the input's key and the payload as encoded. Its CloudEvents identity
    /// is the outcome's first emission when that answered this very input record (a first
    /// publication, or the same record read again), and a new one otherwise.
    private func outputRecord(
        _ outcome: RememberedOutcome, input: KafkaConsumerRecord, context: InputContext, now: Date
    ) -> KafkaProducerRecord {
        let recordHeaders = if let emission = outcome.emission, emission.input == Emission.Input(input) {
            headers.headers(type: outcome.type, id: emission.id, source: emission.source, time: emission.time, cause: context)
        } else {
            headers.headers(type: outcome.type, time: now, cause: context)
        }
        return KafkaProducerRecord(
            topic: topics.output(forType: outcome.type), key: input.key, value: outcome.payload, headers: recordHeaders)
    }

    /// The DLQ copy of an unreadable record: its key, bytes, headers and timestamp, plus the
    /// `otp.errors.*` headers.
    private func deadLetter(_ record: KafkaConsumerRecord, message: String) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topics.deadLetter, key: record.key, value: record.value,
            headers: DeadLetterHeaders.headers(
                original: record.headers, topic: record.topic, partition: record.partition,
                offset: record.offset, stage: .decode, reason: "INVALID_EVENT", message: message),
            timestampMilliseconds: record.timestampMilliseconds)
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

    private func line(_ level: Logger.Level, _ message: String, _ record: KafkaConsumerRecord) -> RecordPlan.LogLine {
        RecordPlan.LogLine(level: level, message: message, metadata: Self.metadata(record))
    }

    /// One line per outcome: ids, masked phone numbers, never codes.
    private func outcomeLine(_ output: OTPOutput, _ record: KafkaConsumerRecord) -> RecordPlan.LogLine {
        var metadata = Self.metadata(record)
        switch output {
        case .sent(let sent):
            metadata[WorkerLogKey.requestID] = "\(sent.requestId)"
            metadata[WorkerLogKey.verificationID] = "\(sent.verificationId)"
            metadata[WorkerLogKey.phone] = "\(PhoneNumberMask.mask(countryCode: sent.countryCode, nationalNumber: sent.mobileNumber))"
            if sent.resumed { metadata[WorkerLogKey.resumed] = "true" }
            return .init(level: .info, message: "otp.sent", metadata: metadata)
        case .verified(let verified):
            metadata[WorkerLogKey.verificationID] = "\(verified.verificationId)"
            if let requestID = verified.requestId { metadata[WorkerLogKey.requestID] = "\(requestID)" }
            return .init(level: .info, message: "otp.verified", metadata: metadata)
        case .failed(let failed):
            metadata[WorkerLogKey.stage] = "\(failed.stage.rawValue)"
            metadata[WorkerLogKey.reason] = "\(failed.reason)"
            if let requestID = failed.requestId { metadata[WorkerLogKey.requestID] = "\(requestID)" }
            if let verificationID = failed.verificationId { metadata[WorkerLogKey.verificationID] = "\(verificationID)" }
            return .init(level: .notice, message: "otp.failed", metadata: metadata)
        }
    }

    /// The record's partition and offset, on every line about it.
    static func metadata(_ record: KafkaConsumerRecord) -> Logger.Metadata {
        [KafkaLogKey.partition: "\(record.topicPartition)", KafkaLogKey.offset: "\(record.offset)"]
    }
}
