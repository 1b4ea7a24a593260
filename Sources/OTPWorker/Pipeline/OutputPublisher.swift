import Kafka
import Logging
import Primitives

/// Publishes the outputs of one record and reports when the brokers acknowledged all of them.
///
/// docs/events.md, processing rule 2: a record is done only when every output is acknowledged.
/// Outputs come in stages (the idempotency memory, then the outcome): a stage is produced only
/// once the one before it is wholly acknowledged. An output the brokers refuse is sent again
/// with backoff (only that one and the stages after it: acknowledged outputs are not repeated)
/// until it is acknowledged or the caller gives up (stop, revocation). A producer whose handoff
/// is full (100,000 records waiting) refuses too, and the record waits out the same backoff.
struct OutputPublisher: Sendable {
    let producer: KafkaProducer
    let metrics: PipelineMetrics
    let logger: Logger
    var backoff: ClosedRange<Duration> = .milliseconds(100)...(.seconds(5))

    /// Sends `stages` in order, the records of one stage concurrently; true once all are
    /// acknowledged, false if `keepTrying` turned false (or the task was cancelled) first.
    /// `keepTrying` is also asked before each later stage, on the thread that delivered the
    /// report completing the stage before (the producer's poll thread, or one flushing it).
    /// `retrying` hears of each resend, with the records left and the wait before it.
    func publish(
        _ stages: [[KafkaProducerRecord]], keepTrying: @escaping @Sendable () -> Bool,
        retrying: (_ left: Int, _ delay: Duration) -> Void = { _, _ in }
    ) async -> Bool {
        var pending = stages.filter { !$0.isEmpty }
        var delay = backoff.lowerBound
        while !pending.isEmpty {
            pending = await send(pending, keepTrying: keepTrying)
            if pending.isEmpty { return true }
            guard keepTrying(), !Task.isCancelled else { return false }
            metrics.publishRetried()
            retrying(pending.reduce(0) { $0 + $1.count }, delay)
            do { try await Task.sleep(for: delay) } catch { return false }
            delay = min(delay * 2, backoff.upperBound)
        }
        return true
    }

    /// One pass over `stages`; returns what is left to send: the failed records of the stage
    /// that failed, then the stages after it.
    ///
    /// The next stage is produced from the delivery report that completes a stage, on the
    /// thread that delivered it: going back to this task in between would cost a scheduling
    /// round (a wake-up of the cooperative pool, and under load a wait in its queue) per record.
    private func send(_ stages: [[KafkaProducerRecord]], keepTrying: @escaping @Sendable () -> Bool) async -> [[KafkaProducerRecord]] {
        await withCheckedContinuation { continuation in
            let chain = StageChain(
                stages: stages, producer: producer, logger: logger, keepTrying: keepTrying,
                finished: { continuation.resume(returning: $0) })
            chain.start()
        }
    }
}

/// The stages of one pass, producing each from the reports of the one before.
private final class StageChain: Sendable {
    private struct State {
        var stage = 0
        var outstanding = 0
        var failed: [KafkaProducerRecord] = []
    }

    private let stages: [[KafkaProducerRecord]]
    private let producer: KafkaProducer
    private let logger: Logger
    private let keepTrying: @Sendable () -> Bool
    private let finished: @Sendable ([[KafkaProducerRecord]]) -> Void
    private let state = Locked(State())

    init(
        stages: [[KafkaProducerRecord]], producer: KafkaProducer, logger: Logger,
        keepTrying: @escaping @Sendable () -> Bool, finished: @escaping @Sendable ([[KafkaProducerRecord]]) -> Void
    ) {
        // A stage without records would never complete: no report would come to end it.
        precondition(stages.allSatisfy { !$0.isEmpty }, "every stage has records")
        self.stages = stages
        self.producer = producer
        self.logger = logger
        self.keepTrying = keepTrying
        self.finished = finished
    }

    func start() { produce(stage: 0) }

    private func produce(stage: Int) {
        let records = stages[stage]
        // Counted before the first enqueue: a report may arrive before the loop ends.
        state.withLock {
            $0.stage = stage
            $0.outstanding = records.count
            $0.failed = []
        }
        for record in records {
            do throws(KafkaError) {
                try producer.enqueue(record) { [self] result in
                    if case .failure(let error) = result { self.warn(record, error) }
                    delivered(record, ok: result.isSuccess)
                }
            } catch {
                warn(record, error)
                delivered(record, ok: false)
            }
        }
    }

    private func delivered(_ record: KafkaProducerRecord, ok: Bool) {
        let outcome: (stage: Int, failed: [KafkaProducerRecord])? = state.withLock { state in
            if !ok { state.failed.append(record) }
            state.outstanding -= 1
            return state.outstanding == 0 ? (state.stage, state.failed) : nil
        }
        guard let outcome else { return }
        let later = Array(stages[(outcome.stage + 1)...])
        if !outcome.failed.isEmpty {
            finished([outcome.failed] + later)
        } else if later.isEmpty {
            finished([])
        } else if !keepTrying() {
            // The partition went: the next owner publishes from the memory just written.
            finished(later)
        } else {
            produce(stage: outcome.stage + 1)
        }
    }

    private func warn(_ record: KafkaProducerRecord, _ error: KafkaError) {
        logger.warning("output not acknowledged; will resend", metadata: [
            "topic": "\(record.topic)", KafkaLogKey.error: "\(error.name)",
        ])
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
