#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka

/// The CloudEvents identity of an outcome's first emission, and the input record it answered.
///
/// The same input record read again (after a crash or a rebalance) re-emits its outcome with
/// this `ce_id`, `ce_source` and `ce_time`, so that a consumer deduplicating by `source` + `id`
/// sees one event; another record with the same `requestId` gets an identity of its own.
public struct Emission: Sendable, Hashable {
    /// Where the input record was read.
    public struct Input: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64

        public init(topic: String, partition: Int32, offset: Int64) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    /// `ce_id`.
    public var id: String
    /// `ce_source`: the worker that first emitted it.
    public var source: String
    /// `ce_time`, in whole milliseconds since 1970 (what the header shows).
    public var milliseconds: Int64
    /// The input record it answered.
    public var input: Input

    public init(id: String, source: String, milliseconds: Int64, input: Input) {
        self.id = id
        self.source = source
        self.milliseconds = milliseconds
        self.input = input
    }

    /// `ce_time` as a date.
    public var time: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

extension Emission.Input {
    /// Where `record` was read.
    init(_ record: KafkaConsumerRecord) {
        self.init(topic: record.topic, partition: record.partition, offset: record.offset)
    }
}

extension Date {
    /// Whole milliseconds since 1970, rounded.
    var wholeMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
