import JSON
import Kafka
import Logging
import MessageCentral
import OTPEvents
import WorkerTracing

/// The span of one input record, from the moment the worker takes it to the moment it marks it
/// done, and the tracer its child spans come from.
///
/// It continues the input's trace context as the decoder reads it (the `traceparent` header, or
/// a structured-mode envelope's, which wins), or starts a trace when there is none or it is
/// invalid. Outputs then carry this span's context
/// as their `traceparent`, so a consumer of `otp.sent` continues the same trace under the
/// worker's span. Attributes name the record and its outcome by ids, never by phone number or
/// code (CONTRIBUTING.md, secrets and personal data).
struct RecordTrace: Sendable {
    let tracer: Tracer
    let span: Span

    /// Starts the span of `record`; `maxEventBytes` bounds the envelope read for its context.
    init(tracer: Tracer, record: KafkaConsumerRecord, maxEventBytes: Int) {
        let input = Self.inputContext(record, maxEventBytes: maxEventBytes)
        let parent = input.traceparent.flatMap { SpanContext(traceparent: $0, traceState: input.tracestate) }
        self.tracer = tracer
        span = tracer.startSpan(
            "process \(record.topic)", kind: .consumer, continuing: parent,
            attributes: [
                SpanAttribute("messaging.system", .string("kafka")),
                SpanAttribute("messaging.operation.type", .string("process")),
                SpanAttribute("messaging.destination.name", .string(record.topic)),
                SpanAttribute("messaging.destination.partition.id", .string("\(record.partition)")),
                SpanAttribute("messaging.kafka.offset", .int(record.offset)),
            ])
    }

    /// The input's trace context, as the decoder will find it. The span starts before the
    /// record is decoded, so a structured-mode envelope's `traceparent` (which wins over the
    /// headers: docs/events.md, Inputs) is read here too; only such records pay for the parse.
    static func inputContext(_ record: KafkaConsumerRecord, maxEventBytes: Int) -> InputContext {
        var context = InputContext(headers: record.headers)
        guard let contentType = record.headers.last(where: { $0.name.lowercased() == "content-type" })?.stringValue,
            contentType.lowercased().hasPrefix("application/cloudevents+json"),
            let value = record.value, value.count <= maxEventBytes,
            let envelope = JSONValue(parsing: value)?.objectValue,
            let traceparent = envelope["traceparent"]?.stringValue
        else { return context }
        if TraceContext.isValidTraceparent(traceparent) {
            context.traceparent = traceparent
            context.tracestate = envelope["tracestate"]?.stringValue.flatMap { TraceContext.isAcceptableTracestate($0) ? $0 : nil }
        } else {
            context.traceparent = nil
            context.tracestate = nil
        }
        return context
    }

    /// The trace id as log lines carry it (`trace_id`).
    var traceID: String { span.context.traceID.hex }

    /// `context` with this span as the outputs' `traceparent` (and the input's `tracestate`).
    func outputContext(_ context: InputContext) -> InputContext {
        var context = context
        context.traceparent = span.context.traceparent
        context.tracestate = span.context.traceState
        return context
    }

    /// Records the outcome's type, reason and ids on the span, from what the plan counted and
    /// logged (ids only: the masked phone number of the log line stays out).
    func recordOutcome(_ plan: RecordPlan) {
        guard span.isRecording else { return }
        if let count = plan.counts.first {
            span.setAttribute("otp.outcome.type", .string(count.type))
            if let reason = count.reason { span.setAttribute("otp.outcome.reason", .string(reason)) }
            span.setAttribute("otp.outcome.emission", .string(count.emission.rawValue))
        }
        for (key, attribute) in [(WorkerLogKey.requestID, "otp.request_id"), (WorkerLogKey.verificationID, "otp.verification_id")] {
            if case .string(let value)? = plan.log.metadata[key] { span.setAttribute(attribute, .string(value)) }
        }
    }

    /// A child span for the provider call `operation` (`send` or `validate`).
    func providerSpan(_ operation: String) -> Span {
        tracer.startSpan("provider \(operation)", kind: .client, childOf: span, attributes: [
            SpanAttribute("otp.provider.operation", .string(operation)),
        ])
    }

    /// A child span for publishing the record's outputs.
    func publishSpan(_ stages: [[KafkaProducerRecord]]) -> Span {
        let records = stages.flatMap { $0 }
        var topics: [String] = []
        for record in records where !topics.contains(record.topic) { topics.append(record.topic) }
        return tracer.startSpan("publish", kind: .producer, childOf: span, attributes: [
            SpanAttribute("messaging.system", .string("kafka")),
            SpanAttribute("messaging.operation.type", .string("send")),
            SpanAttribute("messaging.batch.message_count", .int(Int64(records.count))),
            SpanAttribute("otp.publish.topics", .string(topics.joined(separator: ","))),
            SpanAttribute("otp.publish.stages", .int(Int64(stages.count))),
        ])
    }
}

/// Records a provider call's retries as events of its span.
struct SpanRetryRecorder: ProviderCallObserver {
    let span: Span

    func retrying(_ event: ProviderRetryEvent) {
        var attributes = [
            SpanAttribute("otp.provider.operation", .string(event.operation)),
            SpanAttribute("otp.provider.attempt", .int(Int64(event.attempt))),
            SpanAttribute("otp.provider.reason", .string(event.reason.rawValue)),
            SpanAttribute("otp.provider.retry_delay_ms", .milliseconds(event.delay)),
        ]
        if let code = event.providerCode { attributes.append(SpanAttribute("otp.provider.code", .int(Int64(code)))) }
        span.addEvent("retry", attributes: attributes)
    }

    func tokenRefused(attempt: Int, providerCode: Int) {
        span.addEvent("token refused", attributes: [
            SpanAttribute("otp.provider.attempt", .int(Int64(attempt))),
            SpanAttribute("otp.provider.code", .int(Int64(providerCode))),
        ])
    }
}

/// The trace id of the record the current task works on, for the log metadata provider.
enum RecordLogContext {
    @TaskLocal static var traceID: String?

    /// Adds `trace_id` to every line logged while a traced record is handled, the provider
    /// client's included: bootstrap logging with it when tracing is on.
    static let metadataProvider = Logger.MetadataProvider {
        guard let traceID else { return [:] }
        return [WorkerLogKey.traceID: .string(traceID)]
    }
}
