#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import OTPEvents
import WorkerTracing

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
    /// With tracing on, all of it runs inside the record's span, and every line logged meanwhile
    /// carries its trace id.
    func handle(_ record: KafkaConsumerRecord, lane: WorkLane, generation: UInt64) async {
        guard let tracer else {
            await handle(record, lane: lane, generation: generation, trace: nil)
            return
        }
        let trace = RecordTrace(tracer: tracer, record: record, maxEventBytes: configuration.maxEventBytes)
        await RecordLogContext.$traceID.withValue(trace.traceID) {
            await handle(record, lane: lane, generation: generation, trace: trace)
        }
        trace.span.end()
    }

    private func handle(_ record: KafkaConsumerRecord, lane: WorkLane, generation: UInt64, trace: RecordTrace?) async {
        let partition = record.topicPartition
        let lanes = self.lanes
        let (decision, decidedContext) = await processor.decide(
            record, trace: trace, mayStart: { lanes.mayStart(partition, generation: generation) },
            isCurrent: { lanes.isCurrent(partition, generation: generation) })
        // Publishing waits for brokers, not for the provider: the next record may take this
        // one's provider slot meanwhile.
        lanes.decided(lane: lane)

        let traceparentDropped = decidedContext.traceparentDropped
        let context = trace.map { $0.outputContext(decidedContext) } ?? decidedContext
        let plan = planner.plan(decision, for: record, context: context, now: Date())
        trace?.recordOutcome(plan)
        guard !plan.isAbandoned else {
            metrics.abandoned()
            trace?.span.setStatus(.error("abandoned"))
            write(plan.log)
            return
        }
        guard await publish(plan.stages, for: record, generation: generation, trace: trace) else {
            trace?.span.setStatus(.error("outputs not acknowledged; the record will be read again"))
            return
        }
        for count in plan.counts { metrics.outcome(count) }
        // Counted with the outcome, once its outputs (without the header) are out.
        if traceparentDropped { metrics.traceparentDropped() }
        write(plan.log)
    }

    /// Publishes `stages` in order (see `OutputPublisher`) and marks `record` done once all are
    /// acknowledged; false when the partition went (results of an older assignment are dropped:
    /// the next owner redoes them) or the worker stopped first.
    private func publish(
        _ stages: [[KafkaProducerRecord]], for record: KafkaConsumerRecord, generation: UInt64, trace: RecordTrace?
    ) async -> Bool {
        let partition = record.topicPartition
        let lanes = self.lanes
        guard lanes.isCurrent(partition, generation: generation) else {
            metrics.abandoned()
            return false
        }
        let span = trace?.publishSpan(stages)
        let published = await publisher.publish(
            stages, keepTrying: { lanes.isCurrent(partition, generation: generation) },
            retrying: { left, delay in
                span?.addEvent("retry", attributes: [
                    SpanAttribute("messaging.batch.message_count", .int(Int64(left))),
                    SpanAttribute("otp.publish.retry_delay_ms", .milliseconds(delay)),
                ])
            })
        guard published else {
            span?.setStatus(.error("not acknowledged before the partition went or the worker stopped"))
            span?.end()
            metrics.abandoned()
            logger.warning("outputs not acknowledged before the partition went or the worker stopped; the record will be read again",
                           metadata: RecordPlanner.metadata(record))
            return false
        }
        span?.end()
        consumer.markDone(record)
        return true
    }

    private func write(_ line: RecordPlan.LogLine) {
        logger.log(level: line.level, "\(line.message)", metadata: line.metadata)
    }
}
