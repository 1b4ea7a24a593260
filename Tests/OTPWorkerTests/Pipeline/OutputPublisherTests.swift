import Kafka
import KafkaTestSupport
import Logging
import Synchronization
import Testing

@testable import OTPWorker

/// The publisher against the test cluster: stages in order, nothing acknowledged sent twice.
@Suite("Output publisher", .timeLimit(.minutes(2)))
struct OutputPublisherTests {
    /// The two topics of a test, under the names its cluster gives them.
    private struct Topics {
        let memory: String
        let output: String
    }

    /// A record librdkafka refuses (the topic has one partition): its report is a failure.
    private static func refused(_ topic: String) -> KafkaProducerRecord {
        KafkaProducerRecord(topic: topic, partition: 7, key: Array("k".utf8), value: Array("refused".utf8))
    }

    private static func record(_ topic: String, _ value: String) -> KafkaProducerRecord {
        KafkaProducerRecord(topic: topic, key: Array("k".utf8), value: Array(value.utf8))
    }

    /// `keepTrying` that answers true `times` times, then false; counts its calls.
    private final class Gate: Sendable {
        let calls = Atomic(0)
        let times: Int
        init(times: Int) { self.times = times }
        func keepTrying() -> Bool { calls.add(1, ordering: .relaxed).newValue <= times }
    }

    /// Runs `body` with a publisher on a fresh cluster; `written` flushes and reads a topic's
    /// high watermark. With `closedProducer`, the producer is closed before `body` runs.
    private func withPublisher(
        closedProducer: Bool = false,
        _ body: (OutputPublisher, Topics, _ written: @escaping (String) async throws -> Int64) async throws -> Void
    ) async throws {
        try await withTestCluster(topics: ["pub.memory": 1, "pub.output": 1]) { cluster in
            let topics = Topics(memory: cluster.topic("pub.memory"), output: cluster.topic("pub.output"))
            let logger = Logger(label: "test.publisher") { _ in SwiftLogNoOpLogHandler() }
            let producer = try KafkaProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1)),
                logger: logger)
            let reader = try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "pub-reader"),
                logger: logger)
            if closedProducer { await producer.close(timeout: .seconds(5)) }
            var publisher = OutputPublisher(producer: producer, metrics: PipelineMetrics(), logger: logger)
            publisher.backoff = .milliseconds(10)...(.milliseconds(20))
            var failure: (any Error)?
            do {
                try await body(publisher, topics) { topic in
                    try await producer.flush(timeout: .seconds(10))
                    return try await reader.watermarks(KafkaTopicPartition(topic: topic, partition: 0)).high
                }
            } catch {
                failure = error
            }
            await reader.close(timeout: .seconds(5))
            await producer.close(timeout: .seconds(5))
            if let failure { throw failure }
        }
    }

    @Test("Both stages acknowledged: true, each record written once")
    func bothStages() async throws {
        try await withPublisher { publisher, topics, written in
            let gate = Gate(times: .max)
            let published = await publisher.publish(
                [[Self.record(topics.memory, "m")], [Self.record(topics.output, "o1"), Self.record(topics.output, "o2")]],
                keepTrying: gate.keepTrying)
            #expect(published)
            let memoryWritten = try await written(topics.memory)
            #expect(memoryWritten == 1)
            let outputWritten = try await written(topics.output)
            #expect(outputWritten == 2)
        }
    }

    @Test("A refused first stage keeps the second from being produced at all")
    func firstStageRefused() async throws {
        try await withPublisher { publisher, topics, written in
            let gate = Gate(times: 2)
            let published = await publisher.publish(
                [[Self.refused(topics.memory)], [Self.record(topics.output, "o")]], keepTrying: gate.keepTrying)
            #expect(!published)
            #expect(gate.calls.load(ordering: .relaxed) == 3, "two retries, then given up")
            let outputWritten = try await written(topics.output)
            #expect(outputWritten == 0)
        }
    }

    @Test("Retries resend only what was refused, never an acknowledged record")
    func onlyRefusedResent() async throws {
        try await withPublisher { publisher, topics, written in
            let gate = Gate(times: 3)
            let published = await publisher.publish(
                [[Self.record(topics.memory, "m")], [Self.record(topics.output, "o"), Self.refused(topics.output)]],
                keepTrying: gate.keepTrying)
            #expect(!published)
            // One call before the second stage, then a retry after each failed pass.
            #expect(gate.calls.load(ordering: .relaxed) == 4)
            let memoryWritten = try await written(topics.memory)
            #expect(memoryWritten == 1)
            let outputWritten = try await written(topics.output)
            #expect(outputWritten == 1)
        }
    }

    @Test("A closed producer: refusals at the hand-off end the pass, and publish gives up without hanging")
    func closedProducer() async throws {
        try await withPublisher(closedProducer: true) { publisher, topics, _ in
            let gate = Gate(times: 1)
            let published = await publisher.publish(
                [[Self.record(topics.memory, "m"), Self.record(topics.memory, "m2")], [Self.record(topics.output, "o")]],
                keepTrying: gate.keepTrying)
            #expect(!published)
            #expect(gate.calls.load(ordering: .relaxed) == 2, "one retry, then given up")
        }
    }

    @Test("A partition gone after the first stage: the second is not produced")
    func goneBetweenStages() async throws {
        try await withPublisher { publisher, topics, written in
            let gate = Gate(times: 0)
            let published = await publisher.publish(
                [[Self.record(topics.memory, "m")], [Self.record(topics.output, "o")]], keepTrying: gate.keepTrying)
            #expect(!published)
            let memoryWritten = try await written(topics.memory)
            #expect(memoryWritten == 1)
            let outputWritten = try await written(topics.output)
            #expect(outputWritten == 0)
        }
    }
}
