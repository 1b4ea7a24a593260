#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

import KafkaCore

/// The CloudEvents 1.0 Kafka binding, binary content mode, for outputs.
///
/// Binary mode keeps the payload plain JSON (consumers that know nothing of
/// CloudEvents can read it) and puts the envelope in headers.
public struct CloudEventHeaders: Sendable {
    /// The `ce_source` URI, distinct per worker process.
    public var source: String

    /// Creates the header builder.
    ///
    /// - Parameter source: a URI naming this worker instance, e.g. `urn:otp-worker:HOST:PID`.
    public init(source: String) {
        self.source = source
    }

    /// The headers of one output.
    ///
    /// `ce_specversion=1.0`, a new `ce_id` (a random UUID, ``EventID``), `ce_source`, `ce_type`, `ce_time`,
    /// `content-type: application/json`; then the input's `traceparent`/`tracestate` and its
    /// `ce_id` as `otp_causation_id` when it had them.
    ///
    /// - Parameters:
    ///   - type: the event type, `OTPOutput.eventType`.
    ///   - time: when the output happened (the payload's own timestamp).
    ///   - cause: the input's context.
    public func headers(type: String, time: Date, cause: InputContext) -> [KafkaHeader] {
        headers(type: type, id: EventID.make(), source: source, time: time, cause: cause)
    }

    /// The headers of an output published again with the identity of its first emission
    /// (`id`, `source`, `time`), so that consumers deduplicating by CloudEvents `source` + `id`
    /// see one event.
    public func headers(type: String, id: String, source: String, time: Date, cause: InputContext) -> [KafkaHeader] {
        var headers: [KafkaHeader] = [
            KafkaHeader(name: "ce_specversion", string: "1.0"),
            KafkaHeader(name: "ce_id", string: id),
            KafkaHeader(name: "ce_source", string: source),
            KafkaHeader(name: "ce_type", string: type),
            KafkaHeader(name: "ce_time", string: RFC3339.format(time)),
            KafkaHeader(name: "content-type", string: "application/json"),
        ]
        if let traceparent = cause.traceparent {
            headers.append(KafkaHeader(name: "traceparent", string: traceparent))
            if let tracestate = cause.tracestate {
                headers.append(KafkaHeader(name: "tracestate", string: tracestate))
            }
        }
        if let causation = cause.ceID {
            headers.append(KafkaHeader(name: "otp_causation_id", string: causation))
        }
        return headers
    }
}
