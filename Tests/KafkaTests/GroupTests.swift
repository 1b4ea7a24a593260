import Kafka
import KafkaEmbedded
import KafkaTestSupport
import Logging
import Primitives
import TestSupport
import Testing

struct WeakConsumer {
    weak var value: KafkaConsumer?
}

/// A listener that records what it is told and drains in-flight work on revocation.
final class DrainingListener: KafkaRebalanceListener {
    // Weak: the consumer holds its listener.
    private let consumer = Locked(WeakConsumer())
    private let revocations = Locked<Int>(0)
    private let lostRevocations = Locked<Int>(0)
    var lostCount: Int { lostRevocations.withLock { $0 } }

    func attach(_ consumer: KafkaConsumer) { self.consumer.withLock { $0.value = consumer } }
    var revocationCount: Int { revocations.withLock { $0 } }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async {}

    func partitionsRevoked(_ partitions: [KafkaTopicPartition], lost: Bool) async {
        revocations.withLock { $0 += 1 }
        if lost { lostRevocations.withLock { $0 += 1 } }
        guard let consumer = consumer.withLock({ $0.value }) else { return }
        // Wait for records already handed out to be marked done, as the worker will.
        let deadline = ContinuousClock.now + .seconds(4)
        while ContinuousClock.now < deadline {
            let inFlight = consumer.inFlight
            if partitions.allSatisfy({ (inFlight[$0] ?? 0) == 0 }) { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

@Suite("Consumer groups and faults", .serialized, .timeLimit(.minutes(3)))
struct GroupTests {
    struct Member {
        let consumer: KafkaConsumer
        let listener: DrainingListener
        let reader: Task<Void, any Error>
    }

    func join(_ cluster: TestKafkaCluster, group: String, topic: String, into seen: Collector<KafkaConsumerRecord>) throws -> Member {
        let listener = DrainingListener()
        let consumer = try makeConsumer(cluster, group: group, listener: listener)
        listener.attach(consumer)
        try consumer.subscribe(topics: [topic])
        return Member(consumer: consumer, listener: listener, reader: startReading(consumer, into: seen))
    }

    func produce(_ producer: KafkaProducer, topic: String, range: Range<Int>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in range {
                group.addTask {
                    _ = try await producer.send(KafkaProducerRecord(topic: topic, key: bytes("key-\(index)"), value: bytes("\(index)")))
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func membersSplitPartitionsAndRebalanceWithoutLossOrDuplicates() async throws {
        try await withTestCluster(brokers: 3, topics: ["group": 6]) { cluster in
            let topic = cluster.topic("group")
            let producer = try makeProducer(cluster)
            let seen = Collector<KafkaConsumerRecord>()
            let group = uniqueName("g")
            let all = Set((0..<6).map { KafkaTopicPartition(topic: topic, partition: $0) })

            let a = try join(cluster, group: group, topic: topic, into: seen)
            let b = try join(cluster, group: group, topic: topic, into: seen)
            try await eventually(timeout: .seconds(60), "two members split six partitions") {
                let (x, y) = (a.consumer.assignment, b.consumer.assignment)
                return !x.isEmpty && !y.isEmpty && x.isDisjoint(with: y) && x.union(y) == all
            }
            try await produce(producer, topic: topic, range: 0..<300)
            try await eventually("the first 300 records") { Set(seen.all.compactMap(\.value)).count >= 300 }

            let c = try join(cluster, group: group, topic: topic, into: seen)
            // Cooperative rebalancing takes two rounds; allow for a slow (sanitized) build.
            try await eventually(timeout: .seconds(60), "a third member gets a share") {
                let sets = [a, b, c].map(\.consumer.assignment)
                return sets.allSatisfy { !$0.isEmpty } && sets.reduce(Set()) { $0.union($1) } == all
                    && sets.map(\.count).reduce(0, +) == 6
            }
            try await produce(producer, topic: topic, range: 300..<600)
            try await eventually("600 records") { Set(seen.all.compactMap(\.value)).count >= 600 }

            await b.consumer.close()
            _ = try await b.reader.value
            try await eventually(timeout: .seconds(60), "the two remaining members take over") {
                a.consumer.assignment.union(c.consumer.assignment) == all
                    && a.consumer.assignment.isDisjoint(with: c.consumer.assignment)
            }
            try await produce(producer, topic: topic, range: 600..<900)
            try await eventually("900 records") { Set(seen.all.compactMap(\.value)).count >= 900 }

            await a.consumer.close()
            await c.consumer.close()
            _ = try await a.reader.value
            _ = try await c.reader.value
            await producer.close()

            let values = seen.all.compactMap(\.value)
            #expect(Set(values).count == 900, "no record lost")
            // A hand-over is clean when no member lost its partitions (evicted, e.g. starved of
            // CPU past the session timeout) and every commit was accepted; only then must no
            // record be processed twice.
            let members = [a, b, c]
            let clean = members.allSatisfy { $0.listener.lostCount == 0 && $0.consumer.commitFailureCount == 0 }
            if clean {
                #expect(values.count == 900, "no record processed twice after clean hand-overs")
            } else {
                // Each unclean hand-over can deliver again at most what was not committed, at
                // most the whole topic each time (a run once delivered 1,864 of 900, above the
                // earlier bound of twice the topic).
                let unclean = members.reduce(0) { $0 + $1.listener.lostCount + $1.consumer.commitFailureCount }
                #expect(values.count <= 900 * (1 + unclean), "repeats after \(unclean) unclean hand-overs stay bounded: \(values.count)")
            }
            #expect(b.listener.revocationCount >= 1)
        }
    }

    @Test(.embeddedClusterOnly("takes a broker down and moves partition leaders: the embedded cluster's fault injection"))
    func brokerDownAndBackLosesNothingAndDuplicatesNothing() async throws {
        try await withTestCluster(brokers: 3, topics: ["outage": 6]) { cluster in
            let topic = cluster.topic("outage")
            // Broker 2 leads partitions 1 and 4, so records for them wait out its outage.
            for partition in Int32(0)..<6 {
                try cluster.faults.setPartitionLeader(topic: topic, partition: partition, broker: partition % 3 + 1)
            }
            var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1))
            configuration.deliveryTimeout = .seconds(60)
            let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"))
            TestClients.current?.track(producer)

            let seen = Collector<KafkaConsumerRecord>()
            let consumer = try makeConsumer(cluster, group: uniqueName("outage"))
            try consumer.subscribe(topics: [topic])
            let reader = startReading(consumer, into: seen)

            let delivered = Collector<KafkaDeliveryReport>()
            let failed = Collector<KafkaError>()
            func produce(_ range: Range<Int>) throws {
                for index in range {
                    let record = KafkaProducerRecord(topic: topic, partition: Int32(index % 6), key: bytes("k\(index)"), value: bytes("\(index)"))
                    try producer.enqueue(record) { result in
                        switch result {
                        case .success(let report): delivered.append(report)
                        case .failure(let error): failed.append(error)
                        }
                    }
                }
            }
            try produce(0..<1000)
            try await producer.flush(timeout: .seconds(30))

            try cluster.faults.setBrokerDown(2)
            try produce(1000..<2000)
            // While broker 2 is down its partitions cannot complete: a flush must time out.
            // (The idempotent producer may hold the other partitions too while it drains.)
            await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(1)) }
            #expect(delivered.count < 2000, "records for the down broker's partitions wait")
            #expect(failed.count == 0)

            try cluster.faults.setBrokerUp(2)
            try produce(2000..<3000)
            try await producer.flush(timeout: .seconds(60))
            #expect(failed.count == 0)
            #expect(delivered.count == 3000)
            try await eventually(timeout: .seconds(60), "the consumer reads every record") { seen.count >= 3000 }
            await consumer.close()
            _ = try await reader.value
            await producer.close()
            let values = seen.all.compactMap(\.value)
            #expect(Set(values).count == 3000, "every record arrived")
            #expect(values.count == 3000, "exactly once: idempotence kept retries from duplicating")
        }
    }

    @Test(.embeddedClusterOnly("injects request errors: the embedded cluster's fault injection"))
    func requestErrorsOnProduceFetchAndCommitHeal() async throws {
        try await withTestCluster(brokers: 3, topics: ["flaky": 3]) { cluster in
            let topic = cluster.topic("flaky")
            let producer = try makeProducer(cluster)
            let seen = Collector<KafkaConsumerRecord>()
            let group = uniqueName("flaky")
            try cluster.faults.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas])
            try await produce(producer, topic: topic, range: 0..<200)
            // Every record is read and done before the first background commit, which is refused:
            // only a retry of the same offsets can commit them (nothing moves afterwards).
            try cluster.faults.pushRequestErrors(.fetch, [.notLeaderForPartition, .unknownTopicOrPartition])
            // librdkafka does not retry this one itself: only our retry commits the offsets.
            try cluster.faults.pushRequestErrors(.offsetCommit, [.topicAuthorizationFailed, .topicAuthorizationFailed])
            let consumer = try makeConsumer(cluster, group: group)
            try consumer.subscribe(topics: [topic])
            let reader = startReading(consumer, into: seen)
            try await eventually("all records despite injected errors") { Set(seen.all.compactMap(\.value)).count == 200 }
            try await eventually("offsets committed despite injected commit errors") {
                let committed = try await consumer.committedOffsets((0..<3).map { KafkaTopicPartition(topic: topic, partition: $0) })
                return committed.values.reduce(0, +) == 200
            }
            await consumer.close()
            _ = try await reader.value
            await producer.close()
            #expect(seen.all.compactMap(\.value).count == 200)
        }
    }
}
