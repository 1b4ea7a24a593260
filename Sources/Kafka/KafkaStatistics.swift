/// The part of librdkafka's statistics document (STATISTICS.md in librdkafka) that becomes
/// metrics. Every field is optional: producers and consumers fill different parts, and a field
/// missing from one document must not cost the others.
struct KafkaStatistics: Decodable {
    /// A window of samples, in microseconds.
    struct Window: Decodable {
        var average: Double?
        enum CodingKeys: String, CodingKey { case average = "avg" }
    }

    struct Broker: Decodable {
        /// -1 for the bootstrap entries and librdkafka's internal broker, which are not brokers
        /// of the cluster.
        var nodeID: Int?
        /// Round trip of requests to this broker.
        var rtt: Window?
        /// How long produced records waited in librdkafka's queue before being sent.
        var internalLatency: Window?
        /// Totals since the client started.
        var transmitErrors: Int64?
        var transmitRetries: Int64?
        var requestTimeouts: Int64?

        enum CodingKeys: String, CodingKey {
            case nodeID = "nodeid"
            case rtt
            case internalLatency = "int_latency"
            case transmitErrors = "txerrs"
            case transmitRetries = "txretries"
            case requestTimeouts = "req_timeouts"
        }
    }

    struct Partition: Decodable {
        var consumerLag: Double?
        var committedOffset: Double?
        enum CodingKeys: String, CodingKey {
            case consumerLag = "consumer_lag"
            case committedOffset = "committed_offset"
        }
    }

    struct Topic: Decodable {
        var partitions: [String: Partition]?
    }

    /// Records in the producer's queues, and their bytes.
    var queuedMessages: Double?
    var queuedBytes: Double?
    var brokers: [String: Broker]?
    var topics: [String: Topic]?

    enum CodingKeys: String, CodingKey {
        case queuedMessages = "msg_cnt"
        case queuedBytes = "msg_size"
        case brokers, topics
    }
}
