import Primitives

/// Starts spans and hands the ended ones to its ``BatchSpanProcessor``.
///
/// Spans are passed explicitly along the record path (no task-local context): the worker's
/// pipeline is one explicit path per record, and explicit spans cost no lookup.
public struct Tracer: Sendable {
    /// Decides which traces starting or continuing here are recorded.
    public let sampler: Sampler
    let processor: BatchSpanProcessor

    /// Creates a tracer whose ended, sampled spans go to `processor`.
    public init(sampler: Sampler = .default, processor: BatchSpanProcessor) {
        self.sampler = sampler
        self.processor = processor
    }

    /// Starts a span that continues `parent`, a context from outside (an input's
    /// `traceparent`), or starts a new trace when `parent` is `nil`.
    public func startSpan(
        _ name: String, kind: SpanKind, continuing parent: SpanContext?, attributes: [SpanAttribute] = []
    ) -> Span {
        var random = SystemRandom()
        let traceID = parent?.traceID ?? TraceID.random(using: &random)
        let sampled = sampler.shouldSample(traceID: traceID, parentSampled: parent?.sampled)
        let context = SpanContext(
            traceID: traceID, spanID: SpanID.random(using: &random), sampled: sampled, traceState: parent?.traceState)
        return Span(context: context, parentSpanID: parent?.spanID, name: name, kind: kind,
                    attributes: attributes, processor: processor)
    }

    /// Starts a child of `parent`, in its trace and with its sampling decision.
    public func startSpan(_ name: String, kind: SpanKind, childOf parent: Span, attributes: [SpanAttribute] = []) -> Span {
        var random = SystemRandom()
        let context = SpanContext(
            traceID: parent.context.traceID, spanID: SpanID.random(using: &random),
            sampled: parent.context.sampled, traceState: parent.context.traceState)
        return Span(context: context, parentSpanID: parent.context.spanID, name: name, kind: kind,
                    attributes: attributes, processor: processor)
    }
}
