import Logging

/// The metadata keys this module logs with, in one place so that log queries stay stable.
public enum KafkaLogKey {
    /// librdkafka's log facility (e.g. `REQTMOUT`, `CGRPOP`).
    public static let facility = "kafka.facility"
    /// A librdkafka error name.
    public static let error = "kafka.error"
    /// A topic-partition, as `topic[partition]`.
    public static let partition = "kafka.partition"
    /// A list of topic-partitions.
    public static let partitions = "kafka.partitions"
    /// An offset.
    public static let offset = "kafka.offset"
    /// The client's role: `producer` or `consumer`.
    public static let client = "kafka.client"
}
