import Kafka
import Logging

/// Keeps the lanes in step with the group: new partitions become current (and start paused
/// while provider calls are held); revoked partitions drop their queued records, let running
/// ones finish within the revocation budget, and cancel what is left, so that only finished
/// records' offsets are committed on the way out.
struct WorkerRebalanceListener: KafkaRebalanceListener {
    let lanes: Lanes
    let gate: ProviderGate
    let consumer: ConsumerHolder
    let readiness: ReadinessState?
    let metrics: PipelineMetrics
    let budget: Duration
    let logger: Logger

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async {
        lanes.assign(partitions)
        readiness?.set("group", ready: true, reason: "")
        if gate.holdReason != nil, let consumer = consumer.consumer {
            consumer.pause(partitions)
            metrics.paused(consumer.pausedPartitions.count)
        }
        logger.info("partitions assigned", metadata: [KafkaLogKey.partitions: "\(partitions.map(\.description).sorted())"])
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition], lost: Bool) async {
        let revoked = Set(partitions)
        let dropped = lanes.beginRevocation(revoked)
        // Records waiting for the provider gate must notice that their partition is going.
        gate.wake()
        let deadline = ContinuousClock.now + (lost ? .zero : max(budget, .zero))
        if !(await lanes.drain(revoked, until: deadline)) {
            logger.warning("abandoning in-flight work of revoked partitions", metadata: [KafkaLogKey.partitions: "\(revoked.map(\.description).sorted())"])
            await lanes.cancelRunners(revoked)
        }
        lanes.finishRevocation(revoked)
        logger.info("partitions revoked", metadata: [
            KafkaLogKey.partitions: "\(partitions.map(\.description).sorted())", "lost": "\(lost)", "dropped": "\(dropped)",
        ])
    }
}
