import Logging
import Primitives
import ServiceLifecycle

/// Collects ended spans and exports them in batches, from one task of its own: the record path
/// only appends to a bounded queue under a lock.
///
/// A ServiceLifecycle `Service`: `run` exports every `scheduleDelay` (sooner when a full batch
/// waits) until graceful shutdown, then exports what is left within `finalExportTimeout` and shuts
/// the exporter down. Run it before the worker in a `ServiceGroup` (which stops services in
/// reverse order), so the worker's last spans are ended before the final export.
///
/// The queue holds at most `maxQueueSize` spans; beyond that spans are dropped and counted
/// (``droppedSpans``), as the OpenTelemetry batch processor does, so a collector that is away
/// costs bounded memory and never slows the record path.
public final class BatchSpanProcessor: Service, Sendable {
    /// The specification's `OTEL_BSP_*` settings.
    public struct Configuration: Sendable, Hashable {
        /// How often a partial batch goes out (`OTEL_BSP_SCHEDULE_DELAY`).
        public var scheduleDelay: Duration = .seconds(5)
        /// Bound on the export of what is left at a graceful stop (see `finalExportTimeout`);
        /// each request is bounded by the exporter's own timeout.
        public var exportTimeout: Duration = .seconds(30)
        /// Spans waiting at most (`OTEL_BSP_MAX_QUEUE_SIZE`); more are dropped.
        public var maxQueueSize = 2048
        /// Spans in one export request at most (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
        public var maxExportBatchSize = 512
        /// Bound on the final export at a graceful stop, whatever `exportTimeout` says: the stop
        /// has its own deadline, and an orchestrator's kill follows it.
        public var finalExportTimeout: Duration = .seconds(5)

        /// The specification's defaults.
        public init() {}
    }

    fileprivate struct State {
        var queue: [FinishedSpan] = []
        var dropped = 0
        var exported = 0
        /// The run loop waiting for a full batch or its timer.
        var waiter: CheckedContinuation<Void, Never>?
        var wakeRequested = false
        var exportFailing = false
    }

    /// The batching settings.
    public let configuration: Configuration
    private let exporter: any SpanExporter
    private let logger: Logger
    private let state = Locked(State())

    /// - Parameter logger: Told when exports start failing and when they recover (not per batch).
    public init(exporter: any SpanExporter, configuration: Configuration = Configuration(), logger: Logger) {
        self.exporter = exporter
        self.configuration = configuration
        self.logger = logger
    }

    /// Spans dropped because the queue was full or their export failed.
    public var droppedSpans: Int { state.withLock { $0.dropped } }

    /// Spans an export accepted.
    public var exportedSpans: Int { state.withLock { $0.exported } }

    /// Whether the run loop is suspended, waiting for a batch or its timer (for tests).
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Queues an ended span (called by ``Span/end()``).
    func onEnd(_ span: FinishedSpan) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.queue.count < configuration.maxQueueSize else {
                state.dropped += 1
                return nil
            }
            state.queue.append(span)
            guard state.queue.count >= configuration.maxExportBatchSize else { return nil }
            return state.takeWaiterOrRequestWake()
        }
        waiter?.resume()
    }

    /// Exports until graceful shutdown (or cancellation), then exports what is left (nothing
    /// after a cancellation: that is a hard stop) and shuts the exporter down.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await waitForBatchOrTimer()
                await exportQueued()
            }
        } onGracefulShutdown: {
            self.wake()
        }
        await flushAndShutdown()
    }

    /// Exports every queued span now, in batches.
    public func forceFlush() async {
        await exportQueued()
    }

    /// The final export and the exporter's shutdown; also what `run` ends with.
    func flushAndShutdown() async {
        let timeout = min(configuration.exportTimeout, configuration.finalExportTimeout)
        _ = try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.exportQueued() }
            group.addTask { try await Task.sleep(for: timeout) }
            _ = try await group.next()
            group.cancelAll()
        }
        await exporter.shutdown()
        let (left, dropped) = state.withLock { state in
            let left = state.queue.count
            state.dropped += left
            state.queue.removeAll()
            return (left, state.dropped)
        }
        if dropped > 0 {
            logger.notice("traces: spans dropped", metadata: ["dropped": "\(dropped)", "left-at-shutdown": "\(left)"])
        }
    }

    private func wake() {
        state.withLock { $0.takeWaiterOrRequestWake() }?.resume()
    }

    /// Returns when a full batch waits, a wake-up was asked for, `scheduleDelay` passed, or
    /// `run` was cancelled.
    private func waitForBatchOrTimer() async {
        let delay = configuration.scheduleDelay
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a timer that ran out wakes the loop. One cancelled because the wait ended
                // first must not: its wake-up would end the next wait at once, whose own timer
                // would then do the same, and the loop would spin, exporting a few spans a turn.
                do { try await Task.sleep(for: delay) } catch { return }
                self.wake()
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let now = state.withLock { state -> Bool in
                        if state.wakeRequested || state.queue.count >= configuration.maxExportBatchSize {
                            state.wakeRequested = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                self.wake()
            }
            group.cancelAll()
        }
    }

    /// Exports every queued span, in batches of `maxExportBatchSize`.
    private func exportQueued() async {
        while !Task.isCancelled {
            let batch: [FinishedSpan] = state.withLock { state in
                let count = min(state.queue.count, configuration.maxExportBatchSize)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            await export(batch)
        }
    }

    private func export(_ batch: [FinishedSpan]) async {
        do {
            try await exporter.export(batch)
            let recovered = state.withLock { state in
                state.exported += batch.count
                defer { state.exportFailing = false }
                return state.exportFailing
            }
            if recovered { logger.notice("traces: exports succeed again") }
        } catch {
            let first = state.withLock { state in
                state.dropped += batch.count
                defer { state.exportFailing = true }
                return !state.exportFailing
            }
            // Once per outage, not once per batch: a collector that is away must not flood the log.
            if first {
                logger.warning("traces: export failed; spans are dropped until it succeeds again", metadata: [
                    "error": "\(error)", "spans": "\(batch.count)",
                ])
            }
        }
    }
}

extension BatchSpanProcessor.State {
    /// The waiting run loop to resume, or a note for the next wait to return at once.
    fileprivate mutating func takeWaiterOrRequestWake() -> CheckedContinuation<Void, Never>? {
        if let waiter {
            self.waiter = nil
            return waiter
        }
        wakeRequested = true
        return nil
    }
}
