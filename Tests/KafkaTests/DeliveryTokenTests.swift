import Kafka
import KafkaEmbedded
import KafkaTestSupport
import Primitives
import TestSupport
import Testing

/// Reports the producer's delivery handler received, by token.
final class TokenReports: Sendable {
    // `Locked`, not `Mutex`: reports also arrive on a flushing thread, concurrently with the
    // poll thread, and ThreadSanitizer cannot see Mutex's futex waits.
    private let reports = Locked<[UInt: [Result<KafkaDeliveryReport, KafkaError>]]>([:])

    func record(_ token: UInt, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        reports.withLock { $0[token, default: []].append(result) }
    }

    var all: [UInt: [Result<KafkaDeliveryReport, KafkaError>]] { reports.withLock { $0 } }
}

@Suite("Delivery tokens and shared record buffers", .serialized, .timeLimit(.minutes(2)))
struct DeliveryTokenTests {
    func makeTokenProducer(_ cluster: TestKafkaCluster, _ reports: TokenReports, deliveryTimeout: Duration = .seconds(30)) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1))
        configuration.deliveryTimeout = deliveryTimeout
        return try KafkaProducer(configuration: configuration, logger: quietLogger("producer"), deliveryHandler: reports.record)
    }

    @Test func everyTokenIsReportedOnceWithItsTopicPartitionAndOffset() async throws {
        try await withTestCluster(brokers: 3, topics: ["tokens-a": 4, "tokens-b": 2]) { cluster in
            let (topicA, topicB) = (cluster.topic("tokens-a"), cluster.topic("tokens-b"))
            let reports = TokenReports()
            let producer = try makeTokenProducer(cluster, reports)
            let count = 500
            for token in 0..<count {
                let topic = token % 2 == 0 ? topicA : topicB
                try producer.enqueue(KafkaProducerRecord(topic: topic, key: bytes("k\(token)"), value: bytes("token-\(token)")), token: UInt(token))
            }
            try await producer.flush(timeout: .seconds(30))
            #expect(producer.pendingDeliveries == 0)
            await producer.close()

            let all = reports.all
            #expect(all.count == count)
            var positions = Set<String>()
            var expected: [String: Int] = [:]  // "topic[partition]@offset" -> token
            for token in 0..<count {
                let results = all[UInt(token)] ?? []
                try #require(results.count == 1, "token \(token) reported \(results.count) times")
                let report = try results[0].get()
                #expect(report.topic == (token % 2 == 0 ? topicA : topicB))
                let position = "\(report.topic)[\(report.partition)]@\(report.offset)"
                #expect(positions.insert(position).inserted, "two tokens reported at \(position)")
                expected[position] = token
            }

            // The reports point at the records really written there.
            let consumer = try makeConsumer(cluster, group: uniqueName("tokens"))
            try consumer.subscribe(topics: [topicA, topicB])
            var checked = 0
            for try await batch in consumer.batches() {
                for record in batch {
                    let token = try #require(expected["\(record.topic)[\(record.partition)]@\(record.offset)"])
                    #expect(record.value == bytes("token-\(token)"))
                    #expect(record.key == bytes("k\(token)"))
                }
                checked += batch.count
                consumer.markDone(batch)
                if checked == count { break }
            }
        }
    }

    /// Topic handles are made with a topic configuration of their own (to carry the topic's
    /// name): it must still hold the producer's topic-level properties, here
    /// `message.timeout.ms`. With librdkafka's default (300 s) the report would not come in time.
    @Test(.embeddedClusterOnly("takes the only broker down: the embedded cluster's fault injection"))
    func topicLevelPropertiesStillApplyToTokenAndClosureRecords() async throws {
        try await withTestCluster(brokers: 1, topics: ["unreachable": 1]) { cluster in
            let topic = cluster.topic("unreachable")
            try cluster.faults.setBrokerDown(1)
            let reports = TokenReports()
            let producer = try makeTokenProducer(cluster, reports, deliveryTimeout: .seconds(1))
            try producer.enqueue(KafkaProducerRecord(topic: topic, value: bytes("lost")), token: 7)
            let started = ContinuousClock.now
            try await eventually(timeout: .seconds(15), "the report of token 7") { reports.all[7] != nil }
            #expect(ContinuousClock.now - started < .seconds(10))
            let result = try #require(reports.all[7]?.first)
            #expect(throws: KafkaError.self) { try result.get() }
            await #expect(throws: KafkaError.self) { _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("lost too"))) }
            await producer.close(timeout: .seconds(2))
        }
    }

    @Test func recordsFetchedTogetherKeepTheirOwnBytes() async throws {
        try await withTestCluster(brokers: 1, topics: ["shared": 1]) { cluster in
            let topic = cluster.topic("shared")
            let producer = try makeProducer(cluster)
            // Sizes below and past the drain's byte cap (64 KB), empty and null keys and values among them.
            var sent: [(key: [UInt8]?, value: [UInt8]?)] = []
            for index in 0..<300 {
                let key: [UInt8]? = index % 7 == 0 ? nil : index % 11 == 0 ? [] : bytes("key-\(index)")
                let size = index % 50 == 0 ? 300 * 1024 : index % 3 == 0 ? 0 : 10 + index
                let value: [UInt8]? = index % 13 == 0 ? nil : (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) }
                sent.append((key, value))
                try producer.enqueue(KafkaProducerRecord(topic: topic, key: key, value: value)) { _ in }
            }
            try await producer.flush(timeout: .seconds(30))
            await producer.close()

            let consumer = try makeConsumer(cluster, group: uniqueName("shared"))
            try consumer.subscribe(topics: [topic])
            var received: [KafkaConsumerRecord] = []
            for try await batch in consumer.batches() {
                received.append(contentsOf: batch)
                consumer.markDone(batch)
                if received.count == sent.count { break }
            }
            #expect(received.map(\.offset) == (0..<Int64(sent.count)).map { $0 })
            for (record, expected) in zip(received, sent) {
                #expect(record.key == expected.key, "key of offset \(record.offset)")
                #expect(record.value == expected.value, "value of offset \(record.offset)")
                record.withUnsafeValueBytes { bytes in
                    #expect(bytes.map { Array($0) } == expected.value)
                }
            }
        }
    }
}

@Suite("Consumer record bytes")
struct ConsumerRecordBytesTests {
    func record(key: [UInt8]?, value: [UInt8]?) -> KafkaConsumerRecord {
        KafkaConsumerRecord(topic: "t", partition: 0, offset: 0, key: key, value: value)
    }

    @Test func nullAndEmptyStayDistinct() {
        let cases: [([UInt8]?, [UInt8]?)] = [(nil, nil), ([], nil), (nil, []), ([], []), ([1], nil), (nil, [2]), ([1, 2], [3]), ([], [4]), ([5], [])]
        for (key, value) in cases {
            let made = record(key: key, value: value)
            #expect(made.key == key)
            #expect(made.value == value)
            made.withUnsafeKeyBytes { #expect(($0 == nil) == (key == nil)) }
            made.withUnsafeValueBytes { #expect($0.map { Array($0) } == value) }
        }
    }

    @Test func settingOneSideKeepsTheOther() {
        var made = record(key: bytes("key"), value: bytes("value"))
        made.key = nil
        #expect(made.key == nil)
        #expect(made.value == bytes("value"))
        made.value = bytes("other")
        made.key = bytes("k2")
        #expect(made.key == bytes("k2"))
        #expect(made.value == bytes("other"))
        made.value = nil
        #expect(made.value == nil)
        #expect(made.key == bytes("k2"))
    }

    @Test func aThrowingReaderPassesItsErrorThrough() {
        struct Refused: Error {}
        let made = record(key: nil, value: bytes("v"))
        #expect(throws: Refused.self) { try made.withUnsafeValueBytes { _ throws(Refused) in throw Refused() } }
    }
}
