import Kafka
import Primitives

/// What the worker needs of its idempotency topic, judged against what the brokers report:
/// plain values in, a verdict out, no I/O (``InternalTopics`` asks the brokers).
///
/// Partition N of the topic holds the memory of partition N of each input topic, so it needs
/// at least as many partitions as every input. It must be compacted, so that the latest
/// outcome of every key survives; it is also deleted by time, twice the memory's retention,
/// so that its size stays bounded.
public struct IdempotencyTopicRequirement: Sendable, Hashable {
    /// The idempotency topic.
    public var topic: String
    /// The input topics it is co-partitioned with.
    public var inputs: [String]
    /// How long the worker remembers an outcome (`--idempotency-retention`).
    public var retention: Duration
    /// Copies of each partition when the worker creates it; `nil` is the broker's default.
    public var replicationFactor: Int?
    /// The brokers, for the commands that fix a problem.
    public var bootstrapServers: String

    /// Creates a requirement.
    public init(topic: String, inputs: [String], retention: Duration, replicationFactor: Int?, bootstrapServers: String) {
        self.topic = topic
        self.inputs = inputs
        self.retention = retention
        self.replicationFactor = replicationFactor
        self.bootstrapServers = bootstrapServers
    }

    /// What to do after reading the brokers' partition counts.
    public enum Verdict: Sendable, Hashable {
        /// The topic is missing: create it so.
        case create(KafkaTopicSpecification)
        /// The topic has enough partitions; its configuration is checked next.
        case checkConfiguration
        /// The worker cannot go on.
        case problem(InternalTopicProblem)
    }

    /// Judges the brokers' topics and partition counts.
    public func judge(partitionCounts: [String: Int]) -> Verdict {
        var needed = 0
        var widest = ""
        for input in inputs {
            guard let count = partitionCounts[input] else {
                return .problem(InternalTopicProblem(
                    topic: input, problem: "the input topic \(input) does not exist",
                    fix: "kafka-topics.sh --bootstrap-server \(bootstrapServers) --create --topic \(input) --partitions 6"))
            }
            if count > needed { (needed, widest) = (count, input) }
        }
        guard let count = partitionCounts[topic] else { return .create(specification(partitions: needed)) }
        guard count >= needed else {
            return .problem(InternalTopicProblem(
                topic: topic,
                problem: "\(topic) has \(count) partition\(count == 1 ? "" : "s"), fewer than \(widest)'s \(needed): "
                    + "partition N must hold the memory of input partition N",
                fix: "kafka-topics.sh --bootstrap-server \(bootstrapServers) --alter --topic \(topic) --partitions \(needed)"))
        }
        return .checkConfiguration
    }

    /// Judges the topic's configuration as DescribeConfigs reports it; nil when it will do.
    public func judge(configuration: [String: String]) -> InternalTopicProblem? {
        let policy = configuration["cleanup.policy"] ?? "delete"
        let policies = policy.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        guard policies.contains("compact") else {
            return InternalTopicProblem(
                topic: topic,
                problem: "\(topic) has cleanup.policy=\(policy): without compaction the latest outcome of a key can be deleted",
                fix: "kafka-configs.sh --bootstrap-server \(bootstrapServers) --alter --entity-type topics --entity-name \(topic) "
                    + "--add-config cleanup.policy=[compact,delete],retention.ms=\(retentionMilliseconds)")
        }
        return nil
    }

    /// The CreateTopics request for the topic.
    public func specification(partitions: Int) -> KafkaTopicSpecification {
        KafkaTopicSpecification(name: topic, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
    }

    /// The command that creates the topic as the worker would.
    public func createCommand(partitions: Int) -> String {
        var command = "kafka-topics.sh --bootstrap-server \(bootstrapServers) --create --topic \(topic) --partitions \(partitions)"
        if let replicationFactor { command += " --replication-factor \(replicationFactor)" }
        for (name, value) in configs.sorted(by: { $0.key < $1.key }) { command += " --config \(name)=\(value)" }
        return command
    }

    /// The topic's configuration: compacted, and deleted by time once the memory no longer
    /// needs an entry. Entries stay uncompacted for the memory's retention (what replay shows),
    /// and segments roll as often, so that deletion can act on them.
    var configs: [String: String] {
        [
            "cleanup.policy": "compact,delete",
            "retention.ms": String(retentionMilliseconds),
            "min.compaction.lag.ms": String(retention.milliseconds),
            "segment.ms": String(retention.milliseconds),
        ]
    }

    /// Twice the memory's retention: an entry is deleted only when no worker can use it.
    var retentionMilliseconds: Int64 { retention.milliseconds * 2 }
}

/// Why the worker cannot use an internal topic, and the command that fixes it.
public struct InternalTopicProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The topic at fault.
    public var topic: String
    /// What is wrong.
    public var problem: String
    /// A command an operator can run to fix it.
    public var fix: String

    public var description: String { "\(problem); fix it with: \(fix)" }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
