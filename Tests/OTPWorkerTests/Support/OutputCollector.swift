import Foundation
import Kafka
import Logging
import OTPWorker
import Primitives
import TestSupport
import Testing

/// Reads every output topic from the beginning, without a group, and keeps what it saw.
final class OutputCollector: Sendable {
    /// One output record, with its JSON decoded for assertions.
    struct Output: Sendable {
        let record: KafkaConsumerRecord
        var topic: String { record.topic }
        var key: String? { record.key.map { String(decoding: $0, as: UTF8.self) } }
        var json: [String: Any] {
            guard let value = record.value,
                let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any]
            else { return [:] }
            return object
        }
        func string(_ field: String) -> String? { json[field] as? String }
        func header(_ name: String) -> String? { record.headers.last(named: name)?.stringValue }
    }

    private let consumer: KafkaConsumer
    private let seen: Seen
    private let topics: WorkerTopics

    private let reader: Task<Void, Never>

    init(bootstrapServers: String, topics: WorkerTopics, partitions: Int, logger: Logger) throws {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers, groupID: nil, properties: fastConsumerOptions)
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        for topic in [topics.sent, topics.verified, topics.failed, topics.deadLetter] {
            for partition in 0..<partitions {
                assignment[KafkaTopicPartition(topic: topic, partition: Int32(partition))] = .beginning
            }
        }
        try consumer.assign(assignment)
        self.consumer = consumer
        self.topics = topics
        let seen = Seen()
        self.seen = seen
        self.reader = Task {
            do {
                for try await record in consumer.records {
                    seen.append(Output(record: record))
                }
            } catch {}
        }
    }

    var all: [Output] { seen.all }

    func on(_ topic: String) -> [Output] { all.filter { $0.topic == topic } }

    /// Outputs whose JSON `field` equals `value`.
    func matching(_ field: String, _ value: String) -> [Output] { all.filter { $0.string(field) == value } }

    /// Waits until `predicate` holds over what was seen.
    func wait(
        timeout: Duration = .seconds(20), _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation, until predicate: ([Output]) -> Bool
    ) async throws {
        do {
            try await eventually(timeout: timeout, what, sourceLocation: sourceLocation) { predicate(all) }
        } catch let error as TimedOut {
            // What did arrive, so that a timeout on a loaded machine says whether outcomes were
            // late or different (failures and their reasons).
            Issue.record("seen by then: \(summary)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Outputs by topic, and the first failures' reasons and messages.
    var summary: String {
        let outputs = all
        let counts = Dictionary(grouping: outputs, by: \.topic).map { "\($0.key) \($0.value.count)" }.sorted()
        let failures = outputs.filter { $0.topic == topics.failed }.prefix(3)
            .map { "\($0.string("reason") ?? "?"): \($0.string("message") ?? "")" }
        return (counts.isEmpty ? "nothing" : counts.joined(separator: ", "))
            + (failures.isEmpty ? "" : "; first failures: " + failures.joined(separator: "; "))
    }

    func close() async {
        await consumer.close(timeout: .seconds(5))
        reader.cancel()
    }
}

private final class Seen: Sendable {
    private let outputs = Locked<[OutputCollector.Output]>([])
    func append(_ output: OutputCollector.Output) { outputs.withLock { $0.append(output) } }
    var all: [OutputCollector.Output] { outputs.withLock { $0 } }
}
