/// Kafka protocol request types (API keys) that fault injection can target.
public struct KafkaRequestType: RawRepresentable, Sendable, Hashable {
    /// The protocol's API key.
    public let rawValue: Int16
    /// Creates a request type from its API key.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaRequestType(rawValue: 0)
    public static let fetch = KafkaRequestType(rawValue: 1)
    public static let listOffsets = KafkaRequestType(rawValue: 2)
    public static let metadata = KafkaRequestType(rawValue: 3)
    public static let offsetCommit = KafkaRequestType(rawValue: 8)
    public static let offsetFetch = KafkaRequestType(rawValue: 9)
    public static let findCoordinator = KafkaRequestType(rawValue: 10)
    public static let joinGroup = KafkaRequestType(rawValue: 11)
    public static let heartbeat = KafkaRequestType(rawValue: 12)
    public static let leaveGroup = KafkaRequestType(rawValue: 13)
    public static let syncGroup = KafkaRequestType(rawValue: 14)
    public static let initProducerID = KafkaRequestType(rawValue: 22)
}

/// Kafka protocol error codes to inject (broker-side codes, not librdkafka's local ones).
public struct KafkaErrorCode: RawRepresentable, Sendable, Hashable {
    /// The protocol's error code.
    public let rawValue: Int32
    /// Creates an error code from its number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let networkException = KafkaErrorCode(rawValue: 13)
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: 29)
}
