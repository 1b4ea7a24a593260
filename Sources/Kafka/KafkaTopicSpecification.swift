/// A topic to create: what `KafkaAdmin.createTopics` sends in a CreateTopics request.
public struct KafkaTopicSpecification: Sendable, Hashable {
    /// The topic's name.
    public var name: String
    /// Its partition count.
    public var partitions: Int
    /// Copies of each partition; `nil` leaves it to the broker's `default.replication.factor`.
    public var replicationFactor: Int?
    /// Topic-level configuration, e.g. `cleanup.policy`.
    public var configs: [String: String]

    /// Creates a specification.
    public init(name: String, partitions: Int, replicationFactor: Int? = nil, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
