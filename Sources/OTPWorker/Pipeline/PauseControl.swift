import Kafka
import Primitives

/// Why a partition is paused. A partition fetches again only when no reason is left.
enum PauseReason: Hashable, Sendable {
    /// Provider calls are held (an outage or refused credentials).
    case provider
    /// Its idempotency memory is being read back.
    case loading
}

/// Pauses and resumes partitions for several independent reasons, so that one reason ending
/// (the provider answers again) does not resume a partition another still holds (loading).
final class PauseControl: Sendable {
    private let reasons = Locked<[KafkaTopicPartition: Set<PauseReason>]>([:])
    private let consumer: ConsumerHolder
    private let metrics: PipelineMetrics

    init(consumer: ConsumerHolder, metrics: PipelineMetrics) {
        self.consumer = consumer
        self.metrics = metrics
    }

    /// Pauses `partitions` for `reason` (those not already paused for another reason).
    func hold(_ partitions: [KafkaTopicPartition], for reason: PauseReason) {
        let newly = reasons.withLock { reasons in
            partitions.filter { reasons[$0, default: []].insert(reason).inserted && reasons[$0]!.count == 1 }
        }
        guard let consumer = consumer.consumer else { return }
        if !newly.isEmpty { consumer.pause(newly) }
        metrics.paused(consumer.pausedPartitions.count)
    }

    /// Drops `reason` for `partitions`; those left without a reason fetch again.
    func release(_ partitions: [KafkaTopicPartition], for reason: PauseReason) {
        let freed = reasons.withLock { reasons in
            partitions.filter { partition in
                guard reasons[partition]?.remove(reason) != nil else { return false }
                if reasons[partition]!.isEmpty { reasons[partition] = nil; return true }
                return false
            }
        }
        guard let consumer = consumer.consumer else { return }
        if !freed.isEmpty { consumer.resume(freed) }
        metrics.paused(consumer.pausedPartitions.count)
    }

    /// The partitions are gone: forget their reasons (a new assignment starts unpaused).
    func forget(_ partitions: [KafkaTopicPartition]) {
        reasons.withLock { reasons in for partition in partitions { reasons[partition] = nil } }
    }

    /// Whether `partition` is paused for `reason`.
    func isHeld(_ partition: KafkaTopicPartition, for reason: PauseReason) -> Bool {
        reasons.withLock { $0[partition]?.contains(reason) ?? false }
    }
}
