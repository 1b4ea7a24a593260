/// Sends batches of ended spans somewhere: ``OTLPHTTPExporter`` in production.
public protocol SpanExporter: Sendable {
    /// Sends one batch; throws when it was not accepted (the batch is then dropped, not retried:
    /// traces are best effort and must not hold memory while a collector is away).
    func export(_ spans: [FinishedSpan]) async throws

    /// Releases what the exporter holds; called once, after the last export.
    func shutdown() async
}
