import Primitives
/// Settings shared by producers and consumers.
public struct KafkaClientSettings: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// The client id brokers see in their logs and quotas.
    public var clientID: String
    /// How often librdkafka reports statistics into swift-metrics gauges; `nil` turns them off.
    public var statisticsInterval: Duration?
    /// Any librdkafka property, applied last so it overrides the typed values
    /// (`security.protocol`, `sasl.*`, `ssl.*`, `fetch.wait.max.ms`, ...).
    public var properties: [String: String]

    /// Creates shared settings.
    public init(
        bootstrapServers: String, clientID: String = "otp-worker",
        statisticsInterval: Duration? = nil, properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.statisticsInterval = statisticsInterval
        self.properties = properties
    }
}

/// How a producer writes records.
public struct KafkaProducerConfiguration: Sendable {
    /// Brokers, client id, statistics and pass-through properties.
    public var client: KafkaClientSettings
    /// Idempotent delivery: no duplicates or reordering from internal retries. On by default
    /// because librdkafka 2.0.2 defaults it off.
    public var idempotent: Bool
    /// How long records may wait to be batched (`linger.ms`).
    public var linger: Duration
    /// How long librdkafka keeps trying to deliver one record before failing it (`message.timeout.ms`).
    public var deliveryTimeout: Duration
    /// The largest record the producer accepts (`message.max.bytes`); `nil` keeps librdkafka's.
    public var maxMessageBytes: Int?
    /// How many records may wait in the local queue (`queue.buffering.max.messages`).
    public var queueCapacity: Int
    /// The most produce requests awaiting an answer from one broker
    /// (`max.in.flight.requests.per.connection`); `nil` keeps librdkafka's, which the idempotent
    /// producer caps at 5 per partition.
    public var maxRequestsInFlight: Int?

    /// Creates a producer configuration with production defaults.
    public init(
        bootstrapServers: String, idempotent: Bool = true, linger: Duration = .milliseconds(5),
        deliveryTimeout: Duration = .seconds(120), maxMessageBytes: Int? = nil,
        queueCapacity: Int = 1_000_000, properties: [String: String] = [:]
    ) {
        self.client = KafkaClientSettings(bootstrapServers: bootstrapServers, properties: properties)
        self.idempotent = idempotent
        self.linger = linger
        self.deliveryTimeout = deliveryTimeout
        self.maxMessageBytes = maxMessageBytes
        self.queueCapacity = queueCapacity
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    public var librdkafkaProperties: [(String, String)] {
        var list = client.baseProperties
        list.append(("enable.idempotence", idempotent ? "true" : "false"))
        if idempotent { list.append(("acks", "all")) }
        list.append(("linger.ms", String(linger.milliseconds)))
        list.append(("message.timeout.ms", String(deliveryTimeout.milliseconds)))
        list.append(("queue.buffering.max.messages", String(queueCapacity)))
        if let maxMessageBytes { list.append(("message.max.bytes", String(maxMessageBytes))) }
        if let maxRequestsInFlight { list.append(("max.in.flight.requests.per.connection", String(maxRequestsInFlight))) }
        return list + client.sortedOverrides
    }
}

/// How consumers split a group's partitions.
public enum KafkaAssignmentStrategy: String, Sendable {
    /// Incremental rebalancing: only moved partitions stop (must be set on every member).
    case cooperativeSticky = "cooperative-sticky"
    /// Eager rebalancing: every member gives up everything on each rebalance.
    case range
    /// Eager round-robin.
    case roundRobin = "roundrobin"
}

/// Where a consumer starts on a partition with no committed offset.
public enum KafkaOffsetReset: String, Sendable {
    /// From the oldest record still stored.
    case earliest
    /// From the next record written.
    case latest
    /// Fail instead of guessing.
    case error
}

/// How a consumer reads records.
public struct KafkaConsumerConfiguration: Sendable {
    /// Brokers, client id, statistics and pass-through properties.
    public var client: KafkaClientSettings
    /// The consumer group; `nil` for a consumer that only assigns partitions by hand (replay).
    public var groupID: String?
    /// The group's partition assignment strategy.
    public var assignmentStrategy: KafkaAssignmentStrategy
    /// Where to start on a partition without a committed offset.
    public var offsetReset: KafkaOffsetReset
    /// How long the group waits for a silent member before evicting it (`session.timeout.ms`).
    public var sessionTimeout: Duration
    /// How often the member tells the coordinator it is alive (`heartbeat.interval.ms`); `nil`
    /// keeps librdkafka's 3 s. At most a third of `sessionTimeout`.
    public var heartbeatInterval: Duration?
    /// The member's static identity (`group.instance.id`, KIP-345): a member that leaves and
    /// comes back under it within `sessionTimeout` gets its partitions back without a
    /// rebalance. `nil` is dynamic membership.
    public var groupInstanceID: String?
    /// How long between polls before the member is considered stuck (`max.poll.interval.ms`).
    public var maxPollInterval: Duration
    /// How often finished offsets are committed in the background.
    public var commitInterval: Duration
    /// How many records may wait between librdkafka and the reader before fetching pauses.
    public var bufferCapacity: Int
    /// How long a revocation waits for the rebalance listener to drain in-flight work.
    public var revocationTimeout: Duration
    /// How many records librdkafka keeps fetched ahead of the reader, over all partitions
    /// (`queued.min.messages`); `nil` keeps librdkafka's 100,000.
    ///
    /// Past this bound or `prefetchKilobytes`, librdkafka 2.0.2 stops fetching until a broker
    /// thread next looks, up to a second later: set both to hold a second of the reader's pace.
    public var prefetchRecords: Int?
    /// The most librdkafka keeps fetched ahead of the reader, in kilobytes over all partitions
    /// (`queued.max.messages.kbytes`, counting values only); `nil` keeps librdkafka's 65,536.
    public var prefetchKilobytes: Int?

    /// Creates a consumer configuration with production defaults.
    public init(
        bootstrapServers: String, groupID: String?,
        assignmentStrategy: KafkaAssignmentStrategy = .cooperativeSticky,
        offsetReset: KafkaOffsetReset = .earliest, sessionTimeout: Duration = .seconds(45),
        maxPollInterval: Duration = .seconds(300), commitInterval: Duration = .milliseconds(500),
        bufferCapacity: Int = 2048, revocationTimeout: Duration = .seconds(10),
        properties: [String: String] = [:]
    ) {
        self.client = KafkaClientSettings(bootstrapServers: bootstrapServers, properties: properties)
        self.groupID = groupID
        self.assignmentStrategy = assignmentStrategy
        self.offsetReset = offsetReset
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.commitInterval = commitInterval
        self.bufferCapacity = bufferCapacity
        self.revocationTimeout = revocationTimeout
    }

    /// The librdkafka properties this configuration stands for, in the order they are applied.
    public var librdkafkaProperties: [(String, String)] {
        var list = client.baseProperties
        // librdkafka's consumer API needs a group even to read assigned partitions; a consumer
        // without one gets a private id it never joins or commits to.
        list.append(("group.id", groupID ?? "otp-unjoined-\(UInt64.random(in: 0...UInt64.max))"))
        list.append(("partition.assignment.strategy", assignmentStrategy.rawValue))
        list.append(("auto.offset.reset", offsetReset.rawValue))
        list.append(("session.timeout.ms", String(sessionTimeout.milliseconds)))
        list.append(("max.poll.interval.ms", String(maxPollInterval.milliseconds)))
        if let heartbeatInterval { list.append(("heartbeat.interval.ms", String(heartbeatInterval.milliseconds))) }
        if let groupInstanceID, groupID != nil { list.append(("group.instance.id", groupInstanceID)) }
        // The caller marks records done and we commit the contiguous watermark ourselves.
        list.append(("enable.auto.commit", "false"))
        list.append(("enable.auto.offset.store", "false"))
        list.append(("enable.partition.eof", "false"))
        if let prefetchRecords { list.append(("queued.min.messages", String(prefetchRecords))) }
        if let prefetchKilobytes { list.append(("queued.max.messages.kbytes", String(prefetchKilobytes))) }
        return list + client.sortedOverrides
    }
}

extension KafkaClientSettings {
    var baseProperties: [(String, String)] {
        var list = [("bootstrap.servers", bootstrapServers), ("client.id", clientID)]
        // Logs are served from our poll thread instead of librdkafka's internal threads
        // (docs/kafka-layer.md, trap 10).
        list.append(("log.queue", "true"))
        if let statisticsInterval {
            list.append(("statistics.interval.ms", String(statisticsInterval.milliseconds)))
        }
        return list
    }

    var sortedOverrides: [(String, String)] {
        properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
