/// A topic and partition.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition number within the topic.
    public var partition: Int32

    /// Creates a topic-partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A record to produce.
public struct KafkaProducerRecord: Sendable {
    /// The topic to write to.
    public var topic: String
    /// A fixed partition, or `nil` to let the partitioner pick one from the key.
    public var partition: Int32?
    /// The key; `nil` is a null key (distinct from an empty one).
    public var key: [UInt8]?
    /// The value; `nil` is a null value (a tombstone on compacted topics).
    public var value: [UInt8]?
    /// Headers in order; names may repeat.
    public var headers: [KafkaHeader]
    /// The record's timestamp in milliseconds since the epoch, or `nil` for "now".
    public var timestampMilliseconds: Int64?

    /// Creates a record.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// Where the brokers stored a produced record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic written to.
    public var topic: String
    /// The partition the record landed in.
    public var partition: Int32
    /// The record's offset in that partition.
    public var offset: Int64
}

/// How a consumed record's timestamp was set.
public enum KafkaTimestampType: Sendable, Hashable {
    /// Set by the producer.
    case createTime
    /// Set by the broker when it appended the record.
    case logAppendTime
}

/// A consumed record, copied out of librdkafka (nothing here points into C memory).
public struct KafkaConsumerRecord: Sendable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset within the partition.
    public var offset: Int64
    /// The key; `nil` is a null key.
    public var key: [UInt8]?
    /// The value; `nil` is a null value.
    public var value: [UInt8]?
    /// Headers in order.
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch, when the record has a timestamp.
    public var timestampMilliseconds: Int64?
    /// Who set `timestampMilliseconds`.
    public var timestampType: KafkaTimestampType?
    /// The assignment this record was delivered under. Marking it done after the partition
    /// was revoked (and perhaps assigned again) is ignored, so stale work cannot commit.
    public var assignmentEpoch: UInt64

    /// The record's topic and partition.
    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    /// Creates a record; the consumer makes these, tests and replays may too.
    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil,
        timestampType: KafkaTimestampType? = nil, assignmentEpoch: UInt64 = 0
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.timestampType = timestampType
        self.assignmentEpoch = assignmentEpoch
    }
}
