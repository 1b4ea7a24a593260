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
///
/// The key and value of the records fetched together are copied into one buffer that those
/// records share: two allocations per record, freed on another thread than the one that made
/// them, would cost more than the rest of consuming. `key` and `value` make an array of their
/// bytes when read; `withUnsafeKeyBytes` and `withUnsafeValueBytes` read them in place. A
/// record keeps its batch's buffer alive until the last record of it is gone; the consumer
/// caps a batch at `KafkaConsumer.maxBatchBytes`.
public struct KafkaConsumerRecord: Sendable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset within the partition.
    public var offset: Int64
    /// Headers in order.
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch, when the record has a timestamp.
    public var timestampMilliseconds: Int64?
    /// Who set `timestampMilliseconds`.
    public var timestampType: KafkaTimestampType?
    /// The assignment this record was delivered under. Marking it done after the partition
    /// was revoked (and perhaps assigned again) is ignored, so stale work cannot commit.
    public var assignmentEpoch: UInt64

    /// The buffer holding this record's key and value, usually shared with its batch.
    private var bytes: [UInt8]
    private var keySpan: ByteSpan
    private var valueSpan: ByteSpan

    /// The key; `nil` is a null key.
    public var key: [UInt8]? {
        get { keySpan.copy(from: bytes) }
        set { self = KafkaConsumerRecord(replacingBytesOf: self, key: newValue, value: value) }
    }

    /// The value; `nil` is a null value.
    public var value: [UInt8]? {
        get { valueSpan.copy(from: bytes) }
        set { self = KafkaConsumerRecord(replacingBytesOf: self, key: key, value: newValue) }
    }

    /// Calls `body` with the key's bytes in place (`nil` for a null key), without copying them.
    public func withUnsafeKeyBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        try keySpan.withBytes(in: bytes, body)
    }

    /// Calls `body` with the value's bytes in place (`nil` for a null value), without copying them.
    public func withUnsafeValueBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        try valueSpan.withBytes(in: bytes, body)
    }

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
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.timestampType = timestampType
        self.assignmentEpoch = assignmentEpoch
        // A record with one of the two shares that array rather than copying it.
        switch (key, value) {
        case (nil, let value?):
            (bytes, keySpan, valueSpan) = (value, .null, ByteSpan(start: 0, count: value.count))
        case (let key?, nil):
            (bytes, keySpan, valueSpan) = (key, ByteSpan(start: 0, count: key.count), .null)
        case (nil, nil):
            (bytes, keySpan, valueSpan) = ([], .null, .null)
        case (let key?, let value?):
            (bytes, keySpan, valueSpan) = (key + value, ByteSpan(start: 0, count: key.count), ByteSpan(start: key.count, count: value.count))
        }
    }

    private init(replacingBytesOf record: KafkaConsumerRecord, key: [UInt8]?, value: [UInt8]?) {
        self.init(
            topic: record.topic, partition: record.partition, offset: record.offset, key: key, value: value,
            headers: record.headers, timestampMilliseconds: record.timestampMilliseconds,
            timestampType: record.timestampType, assignmentEpoch: record.assignmentEpoch)
    }

    /// A record whose key and value lie in `bytes`, a buffer shared with the rest of its batch.
    init(
        topic: String, partition: Int32, offset: Int64, bytes: [UInt8], key: ByteSpan, value: ByteSpan,
        headers: [KafkaHeader], timestampMilliseconds: Int64?, timestampType: KafkaTimestampType?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.bytes = bytes
        self.keySpan = key
        self.valueSpan = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.timestampType = timestampType
        self.assignmentEpoch = 0
    }
}

/// Where a key or a value lies in a record's buffer; a negative count is null.
struct ByteSpan: Sendable {
    var start: Int
    var count: Int

    static let null = ByteSpan(start: 0, count: -1)

    func copy(from bytes: [UInt8]) -> [UInt8]? {
        count < 0 ? nil : Array(bytes[start..<start + count])
    }

    func withBytes<R, E: Error>(in bytes: [UInt8], _ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        guard count >= 0 else { return try body(nil) }
        // withUnsafeBytes rethrows untyped errors: carry the typed one out through a Result.
        let result: Result<R, E> = bytes.withUnsafeBytes { buffer in
            do throws(E) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: buffer[start..<start + count])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
