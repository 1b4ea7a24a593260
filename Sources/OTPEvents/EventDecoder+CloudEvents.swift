#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import KafkaCore

extension InputContext {
    /// Reads the binary-mode and W3C headers: `ce_id`, `traceparent` (or `ce_traceparent`),
    /// `tracestate` (or `ce_tracestate`). Invalid trace context is dropped, and the drop noted.
    ///
    /// The decoder starts from this; it is also the whole context of a record that cannot be
    /// decoded, or whose outcome is re-emitted without decoding it again.
    public init(headers: [KafkaHeader]) {
        self.init()
        if let id = headers.last(named: "ce_id")?.stringValue, !id.isEmpty {
            ceID = id
        }
        let traceparent = (headers.last(named: "traceparent") ?? headers.last(named: "ce_traceparent"))?.stringValue
        let tracestate = (headers.last(named: "tracestate") ?? headers.last(named: "ce_tracestate"))?.stringValue
        setTrace(traceparent: traceparent, tracestate: tracestate)
    }

    /// Keeps `traceparent` only when valid, and `tracestate` only with a valid parent (W3C rule);
    /// notes whether a `traceparent` was given and dropped.
    mutating func setTrace(traceparent: String?, tracestate: String?) {
        guard let traceparent, TraceContext.isValidTraceparent(traceparent) else {
            self.traceparentDropped = traceparent != nil
            self.traceparent = nil
            self.tracestate = nil
            return
        }
        self.traceparentDropped = false
        self.traceparent = traceparent
        self.tracestate = tracestate.flatMap { TraceContext.isAcceptableTracestate($0) ? $0 : nil }
    }
}

extension EventDecoder {
    /// Whether the record is a CloudEvents structured-mode message (`application/cloudevents+json`).
    static func isStructuredMode(_ headers: [KafkaHeader]) -> Bool {
        guard let contentType = headers.last(where: { $0.name.lowercased() == "content-type" })?.stringValue else {
            return false
        }
        return contentType.lowercased().hasPrefix("application/cloudevents+json")
    }

    /// Takes the payload out of a structured-mode envelope and its id and trace context into `context`.
    ///
    /// The envelope's own attributes win over Kafka headers: in structured mode they are the event's.
    static func unwrapStructured(_ root: JSONValue, into context: inout InputContext) throws(EventDecodingError) -> [String: JSONValue] {
        guard case .object(let envelope) = root else {
            throw EventDecodingError(field: nil, rule: .notObject, "must be a CloudEvents JSON object, not \(root.typeName)")
        }
        if let id = envelope["id"]?.stringValue, !id.isEmpty {
            context.ceID = id
        }
        if let traceparent = envelope["traceparent"]?.stringValue {
            context.setTrace(traceparent: traceparent, tracestate: envelope["tracestate"]?.stringValue)
        }
        if let data = envelope["data"] {
            guard case .object(let payload) = data else {
                throw EventDecodingError(field: "data", rule: .type, "must be a JSON object, not \(data.typeName)")
            }
            return payload
        }
        guard let encoded = envelope["data_base64"] else {
            throw EventDecodingError(field: "data", rule: .required, "is required in a structured-mode CloudEvent")
        }
        guard case .string(let text) = encoded, let bytes = Data(base64Encoded: text) else {
            throw EventDecodingError(field: "data_base64", rule: .format, "must be a Base64 string")
        }
        guard !bytes.isEmpty else { throw EventDecodingError(field: "data_base64", rule: .emptyValue, "is empty") }
        let inner = try parseDocument(Array(bytes))
        guard case .object(let payload) = inner else {
            throw EventDecodingError(field: nil, rule: .notObject, "must be a JSON object, not \(inner.typeName)")
        }
        return payload
    }
}
