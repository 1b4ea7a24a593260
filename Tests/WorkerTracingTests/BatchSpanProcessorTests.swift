import Logging
import Primitives
import ServiceLifecycle
import TestSupport
import Testing

@testable import WorkerTracing

/// Keeps what it is given; fails while `failing` is set.
final class RecordingExporter: SpanExporter {
    let batches = Locked<[[FinishedSpan]]>([])
    let failing = Locked(false)
    let shutDown = Locked(false)

    func export(_ spans: [FinishedSpan]) async throws {
        if failing.withLock({ $0 }) { throw OTLPExportError.refused(status: 503) }
        batches.withLock { $0.append(spans) }
    }

    func shutdown() async { shutDown.withLock { $0 = true } }

    var spans: [FinishedSpan] { batches.withLock { $0.flatMap { $0 } } }
}

@Suite("The batch processor: batches, a bounded queue, the final export", .timeLimit(.minutes(1)))
struct BatchSpanProcessorTests {
    static func processor(_ exporter: RecordingExporter, delay: Duration = .seconds(60), queue: Int = 2048, batch: Int = 512) -> BatchSpanProcessor {
        var configuration = BatchSpanProcessor.Configuration()
        configuration.scheduleDelay = delay
        configuration.maxQueueSize = queue
        configuration.maxExportBatchSize = batch
        return BatchSpanProcessor(exporter: exporter, configuration: configuration, logger: Logger(label: "test"))
    }

    @Test("a full batch goes out before the timer; ended spans only, each once")
    func fullBatch() async throws {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter, batch: 3)
        let tracer = Tracer(processor: processor)
        let task = Task { try await processor.run() }
        defer { task.cancel() }
        let open = tracer.startSpan("open", kind: .internal, continuing: nil)
        for index in 0..<3 {
            let span = tracer.startSpan("s\(index)", kind: .internal, continuing: nil)
            span.end()
            span.end()
        }
        try await eventually(timeout: .seconds(30), "one batch of three") { exporter.spans.count == 3 }
        #expect(exporter.spans.map(\.name) == ["s0", "s1", "s2"])
        #expect(open.isRecording)
    }

    @Test("after a full batch, a partial one waits for its timer (here: the stop), not the next turn")
    func partialWaitsAfterFullBatch() async throws {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter, batch: 3)
        let tracer = Tracer(processor: processor)
        let group = ServiceGroup(configuration: .init(services: [.init(service: processor)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        for index in 0..<3 { tracer.startSpan("s\(index)", kind: .internal, continuing: nil).end() }
        try await eventually(timeout: .seconds(30), "the full batch") { exporter.batches.withLock { $0.count } == 1 }
        try await eventually(timeout: .seconds(30), "the loop waiting again") { processor.isWaiting }
        tracer.startSpan("partial", kind: .internal, continuing: nil).end()
        try await eventually(timeout: .seconds(30), "the loop still waiting") { processor.isWaiting }
        let before = exporter.batches.withLock { $0.count }
        await group.triggerGracefulShutdown()
        try await running.value
        // A loop woken by the cancelled timer of each turn would have sent it at once.
        #expect(before == 1, "the partial batch went out before its timer")
        #expect(exporter.batches.withLock { $0.map(\.count) } == [3, 1])
    }

    @Test("the timer sends a partial batch")
    func timer() async throws {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter, delay: .milliseconds(50))
        let task = Task { try await processor.run() }
        defer { task.cancel() }
        Tracer(processor: processor).startSpan("one", kind: .internal, continuing: nil).end()
        try await eventually(timeout: .seconds(30), "the timer's export") { exporter.spans.count == 1 }
    }

    @Test("a cancelled run ends, and shuts the exporter down")
    func cancellationEnds() async throws {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter)
        let ended = Locked(false)
        let task = Task {
            try? await processor.run()
            ended.withLock { $0 = true }
        }
        Tracer(processor: processor).startSpan("one", kind: .internal, continuing: nil).end()
        // Cancelled while suspended in its wait, not before its first turn.
        try await eventually(timeout: .seconds(30), "the run loop waiting") { processor.isWaiting }
        task.cancel()
        try await eventually(timeout: .seconds(30), "the cancelled run to end") { ended.withLock { $0 } }
        #expect(exporter.shutDown.withLock { $0 })
    }

    @Test("a graceful shutdown exports what is queued, then shuts the exporter down")
    func shutdownFlushes() async throws {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter)
        for index in 0..<5 { Tracer(processor: processor).startSpan("s\(index)", kind: .internal, continuing: nil).end() }
        let group = ServiceGroup(configuration: .init(services: [.init(service: processor)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(exporter.spans.count == 5)
        #expect(exporter.shutDown.withLock { $0 })
    }

    @Test("a full queue drops and counts; a failing export drops its batch and the next one goes")
    func boundedAndFailing() async {
        let exporter = RecordingExporter()
        let processor = Self.processor(exporter, queue: 4, batch: 4)
        let tracer = Tracer(processor: processor)
        for index in 0..<6 { tracer.startSpan("s\(index)", kind: .internal, continuing: nil).end() }
        #expect(processor.droppedSpans == 2)
        exporter.failing.withLock { $0 = true }
        await processor.forceFlush()
        #expect(processor.droppedSpans == 6 && exporter.spans.isEmpty)
        exporter.failing.withLock { $0 = false }
        tracer.startSpan("after", kind: .internal, continuing: nil).end()
        await processor.forceFlush()
        #expect(exporter.spans.map(\.name) == ["after"] && processor.exportedSpans == 1)
    }
}
