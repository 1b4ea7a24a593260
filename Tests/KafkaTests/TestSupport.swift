import Foundation
import Kafka
import KafkaTestSupport
import Logging
import Primitives
import TestSupport
import Testing

/// Options that make the embedded cluster answer quickly (it holds empty fetches for the whole
/// `fetch.wait.max.ms`) and rebalance quickly; harmless on a real cluster.
let fastConsumerOptions = [
    "fetch.wait.max.ms": "10",
    "heartbeat.interval.ms": "100",
    "topic.metadata.refresh.interval.ms": "1000",
]

func makeProducer(_ cluster: TestKafkaCluster, properties: [String: String] = [:]) throws -> KafkaProducer {
    var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1), properties: properties)
    configuration.deliveryTimeout = .seconds(30)
    let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"))
    TestClients.current?.track(producer)
    return producer
}

func makeConsumer(
    _ cluster: TestKafkaCluster, group: String?, listener: (any KafkaRebalanceListener)? = nil,
    bufferCapacity: Int = 2048, properties: [String: String] = [:]
) throws -> KafkaConsumer {
    var configuration = KafkaConsumerConfiguration(
        bootstrapServers: cluster.bootstrapServers, groupID: group, sessionTimeout: .seconds(6),
        commitInterval: .milliseconds(100), bufferCapacity: bufferCapacity, revocationTimeout: .seconds(5),
        properties: fastConsumerOptions.merging(properties) { $1 })
    configuration.client.clientID = "test-\(group ?? "manual")"
    let consumer = try KafkaConsumer(configuration: configuration, listener: listener, logger: quietLogger("consumer"))
    TestClients.current?.track(consumer)
    return consumer
}

func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    return logger
}

func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8))"
}

/// A thread-safe collection of what consumers saw.
final class Collector<Element: Sendable>: Sendable {
    private let items = Locked<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// Reads a consumer's records in a task, marking each done, until cancelled or closed.
func startReading(
    _ consumer: KafkaConsumer, into collector: Collector<KafkaConsumerRecord>, markDone: Bool = true
) -> Task<Void, any Error> {
    Task {
        for try await record in consumer.records {
            collector.append(record)
            if markDone { consumer.markDone(record) }
        }
    }
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
