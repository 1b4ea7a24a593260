import CRdKafka

/// An error from the Kafka layer, carrying librdkafka's code and what the caller may do about it.
///
/// `code` and `name` are librdkafka's (`rd_kafka_resp_err_t` and `rd_kafka_err2name`), so an
/// operator can look them up; `name` is also safe as a metric label.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether a record whose delivery failed may still have been written.
    public enum Persistence: Sendable, Hashable {
        /// The brokers never got it: sending it again cannot duplicate it.
        case notPersisted
        /// It may or may not have been written (for example a timeout after sending).
        case possiblyPersisted
        /// It was written (only seen with errors that follow a successful write).
        case persisted
    }

    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`).
    public var code: Int32
    /// librdkafka's symbolic name of `code`, e.g. `_MSG_TIMED_OUT` or `NOT_LEADER_FOR_PARTITION`.
    public var name: String
    /// A human-readable explanation. Never contains record contents.
    public var message: String
    /// Whether repeating the same operation later may succeed.
    public var isRetriable: Bool
    /// Whether the client instance is unusable from now on and must be recreated.
    public var isFatal: Bool
    /// For failed deliveries: whether the record may have been written anyway.
    public var persistence: Persistence?
    /// For configuration errors: the property that was refused.
    public var property: String?

    /// Creates an error from its parts; most callers get errors from the layer instead.
    public init(
        code: Int32, name: String, message: String,
        isRetriable: Bool = false, isFatal: Bool = false,
        persistence: Persistence? = nil, property: String? = nil
    ) {
        self.code = code
        self.name = name
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.persistence = persistence
        self.property = property
    }

    public var description: String {
        var text = "KafkaError(\(name) [\(code)]: \(message)"
        if let property { text += ", property: \(property)" }
        if isFatal { text += ", fatal" } else if isRetriable { text += ", retriable" }
        if let persistence { text += ", \(persistence)" }
        return text + ")"
    }
}

extension KafkaError {
    /// librdkafka's code for a local time-out (`RD_KAFKA_RESP_ERR__TIMED_OUT`).
    public static let timedOutCode = Int32(RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
    /// librdkafka's code for a delivery that timed out (`RD_KAFKA_RESP_ERR__MSG_TIMED_OUT`).
    public static let messageTimedOutCode = Int32(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue)
    /// librdkafka's code for a fatal error (`RD_KAFKA_RESP_ERR__FATAL`).
    public static let fatalCode = Int32(RD_KAFKA_RESP_ERR__FATAL.rawValue)

    /// An error for a librdkafka response code, with its name and description from librdkafka.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil, isRetriable: Bool? = nil, isFatal: Bool = false) {
        let name = String(cString: rd_kafka_err2name(err))
        let text = message ?? String(cString: rd_kafka_err2str(err))
        self.init(
            code: Int32(err.rawValue), name: name, message: text,
            isRetriable: isRetriable ?? Self.isRetriable(err), isFatal: isFatal || err == RD_KAFKA_RESP_ERR__FATAL)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it (docs/kafka-layer.md, trap 1).
    init(consuming error: OpaquePointer) {
        let err = rd_kafka_error_code(error)
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(err))
        self.init(
            err, message: text,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0)
        rd_kafka_error_destroy(error)
    }

    static func configuration(property: String, message: String) -> KafkaError {
        KafkaError(
            code: Int32(RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue), name: "_INVALID_ARG",
            message: "invalid configuration property '\(property)': \(message)", property: property)
    }

    static func state(_ message: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__STATE, message: message)
    }

    /// Transient broker-side and transport conditions that heal by themselves.
    private static func isRetriable(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
            RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return true
        default:
            return false
        }
    }
}
