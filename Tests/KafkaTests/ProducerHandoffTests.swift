import Kafka
import KafkaEmbedded
import KafkaTestSupport
import Primitives
import Testing

/// The producer's poll thread makes the produce calls: what senders hand off must be produced
/// promptly, refused records must still be reported, and nothing handed off may be lost or
/// reported twice when the producer closes with records stuck.
@Suite("Producer handoff to the poll thread", .serialized, .timeLimit(.minutes(2)))
struct ProducerHandoffTests {
    /// An idle poll thread waits in `rd_kafka_poll` for up to 100 ms; a sender must wake it.
    /// Sent one after another, each record finds the poll thread idle: were it not woken, a
    /// send would wait out most of that 100 ms; woken, it takes a round trip to the embedded
    /// cluster. Each send is paired with a baseline measured beside it, a result handed back
    /// from a thread of its own as a delivery report is: on a machine loaded by the other
    /// suites both wait alike for the cooperative pool, and the difference stays the send's.
    /// Medians keep a slow moment from deciding.
    @Test func anIdleProducerSendsAtOnce() async throws {
        try await withTestCluster(brokers: 1, topics: ["idle": 1]) { cluster in
            let topic = cluster.topic("idle")
            let producer = try makeProducer(cluster)
            _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("warm-up")))
            var sends: [Duration] = []
            var baselines: [Duration] = []
            for index in 0..<41 {
                let handedBack = ContinuousClock.now
                _ = await DedicatedThread.run(name: "baseline") { index }
                baselines.append(ContinuousClock.now - handedBack)
                let started = ContinuousClock.now
                _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("\(index)")))
                sends.append(ContinuousClock.now - started)
            }
            let send = sends.sorted()[sends.count / 2]
            let baseline = baselines.sorted()[baselines.count / 2]
            #expect(send < baseline + .milliseconds(25), "median send on an idle producer: \(send); median hand-back: \(baseline)")
        }
    }

    /// librdkafka refuses a record larger than `message.max.bytes` at the produce call, which
    /// the poll thread makes: the sender still hears, and learns it was not written.
    @Test func aRecordLibrdkafkaRefusesIsReportedNotPersisted() async throws {
        try await withTestCluster(brokers: 1, topics: ["refused": 1]) { cluster in
            let topic = cluster.topic("refused")
            let reports = TokenReports()
            var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1))
            configuration.deliveryTimeout = .seconds(30)
            let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"), deliveryHandler: reports.record)
            let tooLarge = [UInt8](repeating: 1, count: 2_000_000)
            let error = await #expect(throws: KafkaError.self) {
                _ = try await producer.send(KafkaProducerRecord(topic: topic, value: tooLarge))
            }
            #expect(error?.name == "MSG_SIZE_TOO_LARGE")
            #expect(error?.persistence == .notPersisted)

            try producer.enqueue(KafkaProducerRecord(topic: topic, value: tooLarge), token: 1)
            try producer.enqueue(KafkaProducerRecord(topic: topic, value: bytes("fits")), token: 2)
            try await producer.flush(timeout: .seconds(10))
            let all = reports.all
            #expect(all[1]?.count == 1)
            #expect(throws: KafkaError.self) { try all[1]?.first?.get() }
            #expect(try all[2]?.first?.get().offset == 0, "the record after a refused one is still written")
            #expect(producer.pendingDeliveries == 0)
            await producer.close()
        }
    }

    /// With the broker down and librdkafka's queue bounded to 10 records, the poll thread
    /// stops taking, the handoff fills to its bound and senders get _QUEUE_FULL. Closing then
    /// fails every record that was taken, exactly once: none is lost, none reported twice (a
    /// record produced after librdkafka's queues were purged would never be reported).
    @Test(.embeddedClusterOnly("takes the only broker down: the embedded cluster's fault injection"))
    func aFullHandoffRefusesAndCloseReportsEveryRecordOnce() async throws {
        try await withTestCluster(brokers: 1, topics: ["stuck": 1]) { cluster in
            let topic = cluster.topic("stuck")
            let reports = TokenReports()
            var configuration = KafkaProducerConfiguration(
                bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1), properties: ["queue.buffering.max.messages": "10"])
            configuration.deliveryTimeout = .seconds(60)
            let producer = try KafkaProducer(configuration: configuration, logger: quietLogger("producer"), deliveryHandler: reports.record)
            try cluster.faults.setBrokerDown(1)
            var taken: [UInt] = []
            var refusal: KafkaError?
            for token in UInt(0)..<200_000 {
                do throws(KafkaError) {
                    try producer.enqueue(KafkaProducerRecord(topic: topic, value: bytes("r\(token)")), token: token)
                    taken.append(token)
                } catch {
                    refusal = error
                    break
                }
            }
            #expect(refusal?.name == "_QUEUE_FULL")
            #expect(refusal?.isRetriable == true)
            #expect(taken.count >= 100_000, "the handoff holds 100,000 records beyond librdkafka's 10")
            #expect(producer.pendingDeliveries == taken.count)

            let started = ContinuousClock.now
            await producer.close(timeout: .seconds(1))
            #expect(ContinuousClock.now - started < .seconds(10))
            let all = reports.all
            #expect(all.count == taken.count)
            #expect(all.values.allSatisfy { $0.count == 1 }, "a record reported more than once")
            #expect(all.values.allSatisfy { results in
                if case .failure(let error) = results[0] { return error.persistence != .persisted }
                return false
            })
            #expect(producer.pendingDeliveries == 0)
        }
    }
}
