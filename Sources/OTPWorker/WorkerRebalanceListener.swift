#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging

/// Keeps the lanes in step with the group.
///
/// Assigned partitions become current, start paused while provider calls are held, and stay
/// paused until their idempotency partition has been read back (so a request the previous
/// owner already answered is re-emitted, not sent again). Revoked partitions drop their queued
/// records, let running ones finish within the revocation budget and drop the results of what is left, so
/// that only finished records' offsets are committed on the way out.
struct WorkerRebalanceListener: KafkaRebalanceListener {
    let lanes: Lanes
    let gate: ProviderGate
    let pauses: PauseControl
    let loader: IdempotencyLoader
    let idempotency: IdempotencyRegistry<RememberedOutcome>
    let readiness: ReadinessState?
    let metrics: PipelineMetrics
    let budget: Duration
    let logger: Logger

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async {
        lanes.assign(partitions)
        // After the new generation exists, so a stale result completing now is not kept either.
        idempotency.forget(origins: Set(partitions))
        readiness?.set("group", ready: true, reason: "")
        logger.info("partitions assigned", metadata: [KafkaLogKey.partitions: "\(partitions.map(\.description).sorted())"])
        guard !partitions.isEmpty else { return }
        if gate.holdReason != nil { pauses.hold(partitions, for: .provider) }
        // Returning quickly matters: the consumer's poll thread waits for this method.
        pauses.hold(partitions, for: .loading)
        Task { await loadMemory(of: partitions) }
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition], lost: Bool) async {
        let revoked = Set(partitions)
        let dropped = lanes.beginRevocation(revoked)
        // Records waiting for the provider gate must notice that their partition is going.
        gate.wake()
        let deadline = ContinuousClock.now + (lost ? .zero : max(budget, .zero))
        if !(await lanes.drain(revoked, until: deadline)) {
            // Not cancelled: a provider call under way has reached the provider already. Left to
            // finish, its result is stale: not published (the next owner decides, and the
            // idempotency topic carries what it decided), only kept aside in case the partition
            // comes back here with no outcome in the topic (see `IdempotencyState`).
            logger.warning("handing over partitions with work still in flight; its results will be dropped",
                           metadata: [KafkaLogKey.partitions: "\(revoked.map(\.description).sorted())"])
        }
        lanes.finishRevocation(revoked)
        pauses.forget(partitions)
        logger.info("partitions revoked", metadata: [
            KafkaLogKey.partitions: "\(partitions.map(\.description).sorted())", "lost": "\(lost)", "dropped": "\(dropped)",
        ])
    }

    /// Reads the idempotency partitions of `partitions` back, retrying with backoff, then lets
    /// them fetch. Gives up when the partitions are no longer owned.
    private func loadMemory(of partitions: [KafkaTopicPartition]) async {
        let numbers = Set(partitions.map(\.partition))
        var delay = Duration.milliseconds(200)
        while partitions.contains(where: { pauses.isHeld($0, for: .loading) }) {
            let started = ContinuousClock.now
            do {
                let entries = try await loader.load(numbers)
                idempotency.preload(entries)
                logger.info("idempotency memory read back", metadata: [
                    "entries": "\(entries.count)", KafkaLogKey.partitions: "\(numbers.sorted())",
                    "took": "\(ContinuousClock.now - started)",
                ])
                pauses.release(partitions, for: .loading)
                readiness?.set("idempotency", ready: true)
                return
            } catch {
                readiness?.set("idempotency", ready: false, reason: "cannot read \(loader.topic); its partitions stay paused")
                logger.error("cannot read the idempotency topic; the partitions stay paused", metadata: [
                    "topic": "\(loader.topic)", KafkaLogKey.error: "\(error)",
                ])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }
}
