import Kafka
import KafkaTestSupport
import Logging
import MetricsTestKit
import Primitives
import TestSupport
import Testing

@Suite("Configuration and errors", .timeLimit(.minutes(1)))
struct ConfigurationAndErrorTests {
    @Test func unknownPropertyIsNamed() {
        let configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "1"])
        #expect {
            _ = try KafkaProducer(configuration: configuration)
        } throws: { error in
            (error as? KafkaError)?.property == "no.such.property"
        }
    }

    @Test func invalidValueIsNamedWithoutEchoingSecrets() {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: "127.0.0.1:1", groupID: "g",
            properties: ["session.timeout.ms": "soon", "sasl.password": "hunter2"])
        #expect {
            _ = try KafkaConsumer(configuration: configuration)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.property == "session.timeout.ms" && !"\(error)".contains("hunter2")
        }
    }

    @Test func securityPropertiesPassThroughUntouched() async throws {
        let configuration = KafkaProducerConfiguration(
            bootstrapServers: "127.0.0.1:1",
            properties: ["security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN", "sasl.username": "u", "sasl.password": "p"])
        #expect(configuration.librdkafkaProperties.contains { $0 == ("security.protocol", "SASL_PLAINTEXT") })
        // librdkafka accepts them as given; nothing listens there, so close without waiting long.
        let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"))
        await producer.close(timeout: .seconds(2))
    }

    @Test func idempotenceIsOnByDefault() {
        let properties = KafkaProducerConfiguration(bootstrapServers: "x").librdkafkaProperties
        #expect(properties.contains { $0 == ("enable.idempotence", "true") })
        let consumer = KafkaConsumerConfiguration(bootstrapServers: "x", groupID: "g").librdkafkaProperties
        #expect(consumer.contains { $0 == ("enable.auto.commit", "false") })
        #expect(consumer.contains { $0 == ("partition.assignment.strategy", "cooperative-sticky") })
    }

    @Test func requestsInFlightAreLibrdkafkasUnlessSetAndPassThroughStillWins() async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "x")
        #expect(!configuration.librdkafkaProperties.contains { $0.0 == "max.in.flight.requests.per.connection" })
        configuration.maxRequestsInFlight = 1
        #expect(configuration.librdkafkaProperties.contains { $0 == ("max.in.flight.requests.per.connection", "1") })
        configuration.client.properties["max.in.flight.requests.per.connection"] = "5"
        #expect(configuration.librdkafkaProperties.filter { $0.0 == "max.in.flight.requests.per.connection" }.map(\.1) == ["1", "5"])
        // librdkafka accepts 1 with idempotence (it refuses more than 5).
        configuration.client.properties = [:]
        let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"))
        await producer.close(timeout: .seconds(2))
    }

    @Test func prefetchLimitsAreLibrdkafkasUnlessSetAndPassThroughStillWins() async throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "x", groupID: "g")
        #expect(!configuration.librdkafkaProperties.contains { $0.0.hasPrefix("queued.") })
        configuration.prefetchRecords = 1000
        configuration.prefetchKilobytes = 1024
        configuration.client.properties["queued.max.messages.kbytes"] = "4096"
        let properties = configuration.librdkafkaProperties
        #expect(properties.contains { $0 == ("queued.min.messages", "1000") })
        // Applied in order: the pass-through value comes last, so it is the one librdkafka keeps.
        #expect(properties.filter { $0.0 == "queued.max.messages.kbytes" }.map(\.1) == ["1024", "4096"])
        // librdkafka accepts both (it checks their ranges when the client is created).
        let consumer = try KafkaConsumer(configuration: configuration)
        await consumer.close(timeout: .seconds(5))
    }

    @Test func fatalProducerErrorIsSurfaced() async throws {
        try await withTestCluster(brokers: 1, topics: ["fatal": 1]) { cluster in
            let topic = cluster.topic("fatal")
            let producer = try makeProducer(cluster)
            _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("before")))
            producer.triggerFatalErrorForTesting()
            try await eventually("the fatal error is recorded") { producer.fatalError != nil }
            await #expect {
                _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("after")))
            } throws: { error in
                (error as? KafkaError)?.isFatal == true
            }
            await producer.close(timeout: .seconds(5))
        }
    }

    @Test func librdkafkaLogsFlowIntoSwiftLog() async throws {
        let capture = LogCapture()
        try await withTestCluster(brokers: 1, topics: ["logs": 1]) { cluster in
            let topic = cluster.topic("logs")
            var logger = Logger(label: "capture") { _ in capture }
            logger.logLevel = .debug
            let producer = try KafkaProducer(
                configuration: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, properties: ["debug": "broker"]),
                logger: logger)
            _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("x")))
            await producer.close()
        }
        #expect(capture.lines.contains { $0.metadata[KafkaLogKey.facility] != nil && $0.metadata[KafkaLogKey.client] == "producer" })
    }

    /// librdkafka's own documents, not a hand-written one: the decoder must read what it emits.
    @Test func statisticsOfARealConsumerBecomeGauges() async throws {
        _ = SharedTestMetrics.shared
        let name = uniqueName("stats")
        try await withTestCluster(brokers: 1, topics: [name: 1]) { cluster in
            let topic = cluster.topic(name)
            let producer = try makeProducer(cluster)
            for index in 0..<5 { _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("\(index)"))) }
            await producer.close()
            let consumer = try makeConsumer(cluster, group: uniqueName("stats"), properties: ["statistics.interval.ms": "100"])
            try consumer.subscribe(topics: [topic])
            var read = 0
            for try await record in consumer.records {
                consumer.markDone(record)
                read += 1
                if read == 5 { break }
            }
            try await eventually("consumer lag and committed offset from librdkafka's statistics") {
                SharedTestMetrics.gauge("kafka_consumer_lag", ["client": "consumer", "topic": topic, "partition": "0"]) == 0
                    && SharedTestMetrics.gauge("kafka_committed_offset", ["client": "consumer", "topic": topic, "partition": "0"]) == 5
            }
            await consumer.close()
            #expect(SharedTestMetrics.gauge("kafka_consumer_lag", ["client": "consumer", "topic": topic, "partition": "0"]) == nil,
                    "a closed consumer reports nothing")
        }
    }

    /// The producer's document, from librdkafka itself.
    @Test func statisticsOfARealProducerBecomeSeries() async throws {
        _ = SharedTestMetrics.shared
        let topic = uniqueName("stats")
        try await withTestCluster(brokers: 1, topics: [topic: 1]) { cluster in
            let producer = try makeProducer(cluster, properties: ["statistics.interval.ms": "100"])
            for index in 0..<5 { _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("\(index)"))) }
            try await eventually("the producer's queue and per-broker figures from librdkafka's statistics") {
                SharedTestMetrics.gauge("kafka_producer_queue_messages", ["client": "producer"]) == 0
                    && SharedTestMetrics.gauge("kafka_producer_queue_bytes", ["client": "producer"]) == 0
                    && !SharedTestMetrics.shared.recorders(label: "kafka_producer_queue_latency_seconds", dimensions: [("client", "producer")]).isEmpty
                    && !SharedTestMetrics.shared.counters(label: "kafka_producer_tx_errors_total", dimensions: [("client", "producer")]).isEmpty
            }
            await producer.close()
            #expect(SharedTestMetrics.gauge("kafka_producer_queue_messages", ["client": "producer"]) == nil, "a closed producer reports nothing")
        }
    }
}

/// A swift-log handler that keeps every line.
final class LogCapture: LogHandler, Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Locked<[Line]>([])
    private let fixed = Locked<Logger.Metadata>([:])
    var lines: [Line] { storage.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { fixed.withLock { $0 } }
        set { fixed.withLock { $0 = newValue } }
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        storage.withLock {
            $0.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
