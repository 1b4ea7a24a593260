/// What the worker knows about an input's envelope, carried to every output of it.
///
/// Filled from CloudEvents binary-mode headers (`ce_id`, `traceparent`, `tracestate`),
/// from a structured-mode envelope (`id` and the extension attributes), or from plain
/// Kafka headers. An invalid `traceparent` is dropped (with its `tracestate`), never an error:
/// tracing is best effort and must not make an otherwise good event fail. The drop is noted in
/// ``traceparentDropped`` so the worker can count it; this module does no I/O.
public struct InputContext: Sendable, Hashable {
    /// The input's CloudEvents id; outputs name it in `otp_causation_id`.
    public var ceID: String?
    /// A valid W3C `traceparent` (see ``Traceparent/init(parsing:)``), copied to outputs as it came.
    public var traceparent: String?
    /// The W3C `tracestate` that came with a valid `traceparent`.
    public var tracestate: String?
    /// Whether the input had a `traceparent` that was invalid, and so was dropped.
    public var traceparentDropped: Bool

    /// Creates a context; `traceparent` is taken as given, so validate it first
    /// (`TraceContext.isValidTraceparent`) when it comes from outside.
    public init(ceID: String? = nil, traceparent: String? = nil, tracestate: String? = nil, traceparentDropped: Bool = false) {
        self.ceID = ceID
        self.traceparent = traceparent
        self.tracestate = tracestate
        self.traceparentDropped = traceparentDropped
    }
}
