#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import OTPEvents

extension OTPWorkerService {
    /// Runs the records of one lane in order, until the lane is empty.
    func runLane(_ lane: WorkLane, first: KafkaConsumerRecord, generation: UInt64) async {
        var next: (record: KafkaConsumerRecord, generation: UInt64)? = (first, generation)
        while let (record, generation) = next {
            await handle(record, lane: lane, generation: generation)
            next = lanes.finish(lane: lane, generation: generation)
        }
    }

    /// The path of one record: decide, publish what the decision says, mark the record done.
    func handle(_ record: KafkaConsumerRecord, lane: WorkLane, generation: UInt64) async {
        let partition = record.topicPartition
        let lanes = self.lanes
        let (decision, context) = await processor.decide(
            record, mayStart: { lanes.mayStart(partition, generation: generation) },
            isCurrent: { lanes.isCurrent(partition, generation: generation) })
        // Publishing waits for brokers, not for the provider: the next record may take this
        // one's provider slot meanwhile.
        lanes.decided(lane: lane)

        let plan = planner.plan(decision, for: record, context: context, now: Date())
        guard !plan.isAbandoned else {
            metrics.abandoned()
            write(plan.log)
            return
        }
        guard await publish(plan.stages, for: record, generation: generation) else { return }
        for count in plan.counts { metrics.outcome(count) }
        // Counted with the outcome, once its outputs (without the header) are out.
        if context.traceparentDropped { metrics.traceparentDropped() }
        write(plan.log)
    }

    /// Publishes `stages` in order (see `OutputPublisher`) and marks `record` done once all are
    /// acknowledged; false when the partition went (results of an older assignment are dropped:
    /// the next owner redoes them) or the worker stopped first.
    private func publish(
        _ stages: [[KafkaProducerRecord]], for record: KafkaConsumerRecord, generation: UInt64
    ) async -> Bool {
        let partition = record.topicPartition
        let lanes = self.lanes
        guard lanes.isCurrent(partition, generation: generation) else {
            metrics.abandoned()
            return false
        }
        let published = await publisher.publish(stages, keepTrying: { lanes.isCurrent(partition, generation: generation) })
        guard published else {
            metrics.abandoned()
            logger.warning("outputs not acknowledged before the partition went or the worker stopped; the record will be read again",
                           metadata: RecordPlanner.metadata(record))
            return false
        }
        consumer.markDone(record)
        return true
    }

    private func write(_ line: RecordPlan.LogLine) {
        logger.log(level: line.level, "\(line.message)", metadata: line.metadata)
    }
}
