#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import OTPEvents

/// Where `replay --republish` or `--republish-to` sends a range.
public enum ReplayDestination: Sendable, Hashable {
    /// Every record to this one topic (`--republish-to TOPIC`).
    case topic(String)
    /// Each dead letter back to the input it was first read from, by its `otp.errors.topic`
    /// through the configured names (`--republish`).
    case original
}

/// One record of a re-publishing run: where it would go (or went), or why it is left out.
public struct ReplayRepublishStep: Sendable, Hashable {
    public var source: String
    public var partition: Int32
    public var offset: Int64
    public var key: String?
    /// The topic it is (or would be) written to; nil when it is left out.
    public var target: String?
    /// Why it is left out, when it is.
    public var skipped: String?
    /// Whether it was written (`--execute`), or only planned.
    public var written: Bool

    /// One line a person reads: the same plan with and without `--execute`, bar the verb.
    public var text: String {
        let record = "\(source)[\(partition)]@\(offset) key=\(key ?? "null")"
        guard let target else { return "skip \(record): \(skipped ?? "no target")" }
        return "\(written ? "wrote" : "would write") \(record) to \(target)"
    }
}

extension Replay {
    /// Copies the records of `range` to `destination` with their keys, values, headers and
    /// timestamps (so expiry still judges them by when they were first asked), minus the DLQ's
    /// `otp.errors.*` annotations, plus a replay marker (``markerHeader``).
    ///
    /// A dry run unless `producer` is given: re-driving writes to the worker's inputs, so the
    /// operator sees the plan first, as `kafka-consumer-groups --reset-offsets` does.
    ///
    /// - Parameters:
    ///   - topics: the configured names, through which `otp.errors.topic` is mapped.
    ///   - producer: writes when given (`--execute`); when nil, nothing is written.
    ///   - step: called with each record's step, written or planned, in offset order per partition.
    /// - Returns: how many records were written, or would be.
    @discardableResult
    public static func republish(
        _ range: ReplayRange, to destination: ReplayDestination, topics: WorkerTopics,
        consumerConfiguration: KafkaConsumerConfiguration, producer: KafkaProducer?, maxEventBytes: Int = 65_536,
        logger: Logger, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        step: (ReplayRepublishStep) async throws -> Void = { _ in }
    ) async throws -> Int {
        let session = ReplaySession(consumerConfiguration: consumerConfiguration, logger: logger)
        // Judged only to apply the filters (requestId, verificationId) by the record's own kind.
        let inspector = ReplayInspector(topics: topics, maxEventBytes: maxEventBytes, maxRequestAge: .seconds(600), remembered: [:])
        let replayedAt = RFC3339.format(Date())
        var planned = 0
        try await session.read(range, limit: { planned >= range.limit ?? .max }, progress: progress) { record in
            guard range.selects(inspector.inspect(record, now: Date())) else { return }
            var next = ReplayRepublishStep(
                source: record.topic, partition: record.partition, offset: record.offset,
                key: record.key.map { String(decoding: $0, as: UTF8.self) }, written: false)
            switch destination {
            case .topic(let topic):
                next.target = topic
            case .original:
                if let origin = DeadLetterOrigin(headers: record.headers) {
                    if let kind = topics.inputKind(ofTopic: origin.topic) {
                        next.target = topics.topic(of: kind)
                    } else {
                        next.skipped = "otp.errors.topic '\(origin.topic)' is neither input topic (\(topics.requested), \(topics.submitted))"
                    }
                } else {
                    next.skipped = "no otp.errors.topic header says which input it came from"
                }
            }
            if let target = next.target {
                planned += 1
                if let producer {
                    var headers = record.headers.filter { !$0.name.hasPrefix("otp.errors.") }
                    headers.append(KafkaHeader(name: markerHeader, string: "\(record.topic)/\(record.partition)/\(record.offset)"))
                    headers.append(KafkaHeader(name: replayedAtHeader, string: replayedAt))
                    _ = try await producer.send(KafkaProducerRecord(
                        topic: target, key: record.key, value: record.value, headers: headers,
                        timestampMilliseconds: record.timestampMilliseconds))
                    next.written = true
                }
            }
            try await step(next)
        }
        return planned
    }
}
