import Kafka
import Testing

@testable import OTPWorker

/// The reader waiting for room is woken by every transition that frees a place.
@Suite("Lanes: waking the reader", .timeLimit(.minutes(1)))
struct LanesTests {
    let p0 = KafkaTopicPartition(topic: "otp.requested", partition: 0)
    let p1 = KafkaTopicPartition(topic: "otp.requested", partition: 1)

    private func record(_ key: String, _ partition: KafkaTopicPartition, offset: Int64) -> KafkaConsumerRecord {
        KafkaConsumerRecord(topic: partition.topic, partition: partition.partition, offset: offset,
                            key: Array(key.utf8), value: [])
    }

    /// Admits `record`; the runner task it would start is a no-op here.
    private func admit(_ lanes: Lanes, _ record: KafkaConsumerRecord) -> Bool {
        lanes.admit(record) { _, _ in Task {} }
    }

    /// Starts a reader waiting for room and returns once it is parked (room is full).
    private func parkedReader(_ lanes: Lanes) async -> Task<Bool, Never> {
        let reader = Task { await lanes.waitForRoom() }
        // The reader parks at once: no room. Give it the chance to, bounded.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !lanes.hasWaitingReader { await Task.yield() }
        return reader
    }

    @Test("a record's decision wakes a reader waiting for room")
    func decisionWakesReader() async {
        let lanes = Lanes(capacity: 1, metrics: PipelineMetrics())
        lanes.assign([p0])
        #expect(admit(lanes, record("a", p0, offset: 0)))
        let reader = await parkedReader(lanes)
        #expect(lanes.hasWaitingReader)
        lanes.decided(lane: WorkLane(partition: p0, key: Array("a".utf8)))
        #expect(await reader.value, "woken with room")
    }

    @Test("a revocation that drops queued records wakes a reader waiting for room")
    func revocationWakesReader() async {
        let lanes = Lanes(capacity: 2, metrics: PipelineMetrics())
        lanes.assign([p0, p1])
        #expect(admit(lanes, record("a", p0, offset: 0)))
        #expect(admit(lanes, record("a", p0, offset: 1)))
        let reader = await parkedReader(lanes)
        #expect(lanes.hasWaitingReader)
        #expect(lanes.beginRevocation([p0]) == 1)
        #expect(await reader.value, "woken with room for the partitions kept")
    }
}
