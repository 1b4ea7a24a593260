#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Primitives

/// What a span stands for, in OTLP's numbering.
public enum SpanKind: Int, Sendable, Hashable {
    /// Work inside the process.
    case `internal` = 1
    /// Serving a remote call.
    case server = 2
    /// A call to a remote service: the provider.
    case client = 3
    /// Handing messages to a broker: publishing outputs.
    case producer = 4
    /// Processing a message from a broker: an input record.
    case consumer = 5
}

/// A span attribute's value: the OTLP scalar kinds the worker uses.
public enum SpanAttributeValue: Sendable, Hashable {
    /// OTLP `stringValue`.
    case string(String)
    /// OTLP `intValue`, a decimal string in OTLP/JSON.
    case int(Int64)
    /// OTLP `boolValue`.
    case bool(Bool)
    /// OTLP `doubleValue`.
    case double(Double)
}

extension SpanAttributeValue {
    /// A duration as whole milliseconds (`..._ms` attributes).
    public static func milliseconds(_ duration: Duration) -> SpanAttributeValue {
        .int(duration.milliseconds)
    }
}

/// One key and value, on a span, an event or the resource.
public struct SpanAttribute: Sendable, Hashable {
    /// The attribute's name, by the OpenTelemetry semantic conventions where one applies.
    public var key: String
    /// Its value; never a secret, a code or a whole phone number.
    public var value: SpanAttributeValue

    /// Creates an attribute.
    public init(_ key: String, _ value: SpanAttributeValue) {
        self.key = key
        self.value = value
    }
}

/// Something that happened at one instant during a span (a retry, say).
public struct SpanEvent: Sendable, Hashable {
    /// What happened: `retry`, `token refused`.
    public var name: String
    /// Nanoseconds since the Unix epoch.
    public var timeNanoseconds: UInt64
    /// Details of the event.
    public var attributes: [SpanAttribute]

    /// Creates an event.
    public init(name: String, timeNanoseconds: UInt64, attributes: [SpanAttribute] = []) {
        self.name = name
        self.timeNanoseconds = timeNanoseconds
        self.attributes = attributes
    }
}

/// How a span ended, in OTLP's terms.
public enum SpanStatus: Sendable, Hashable {
    /// Nothing said: the default, and what a normal outcome (even `otp.failed`) keeps.
    case unset
    /// Explicitly successful.
    case ok
    /// Failed; the message is exported, so it must hold no secret.
    case error(String)
}

/// A span once ended: what the exporter sends.
public struct FinishedSpan: Sendable, Hashable {
    /// The span's own identity.
    public var context: SpanContext
    /// Its parent, `nil` for a trace's root.
    public var parentSpanID: SpanID?
    /// The operation, e.g. `process otp.requested`.
    public var name: String
    /// What the span stands for.
    public var kind: SpanKind
    /// Nanoseconds since the Unix epoch.
    public var startNanoseconds: UInt64
    /// Nanoseconds since the Unix epoch, never before the start.
    public var endNanoseconds: UInt64
    /// Attributes in the order they were first set.
    public var attributes: [SpanAttribute]
    /// Events in the order they happened.
    public var events: [SpanEvent]
    /// How it ended.
    public var status: SpanStatus

    /// Creates a finished span; the tracer does this when a span ends, tests do it directly.
    public init(
        context: SpanContext, parentSpanID: SpanID?, name: String, kind: SpanKind, startNanoseconds: UInt64,
        endNanoseconds: UInt64, attributes: [SpanAttribute] = [], events: [SpanEvent] = [], status: SpanStatus = .unset
    ) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.attributes = attributes
        self.events = events
        self.status = status
    }
}

/// A span being recorded. Ending it hands it to the tracer's processor; a span that is not
/// sampled records nothing and costs only its context.
///
/// Thread-safe: the record path sets attributes from its task while a provider retry adds an
/// event from the client's.
public final class Span: Sendable {
    /// Its identity: what children and outputs' `traceparent` carry.
    public let context: SpanContext
    /// The span it continues, `nil` for a trace's root.
    public let parentSpanID: SpanID?

    private struct State {
        var finished: FinishedSpan
        var ended = false
    }

    /// `nil` when not recording.
    private let state: Locked<State>?
    private let processor: BatchSpanProcessor?

    init(context: SpanContext, parentSpanID: SpanID?, name: String, kind: SpanKind,
         attributes: [SpanAttribute], processor: BatchSpanProcessor?) {
        self.context = context
        self.parentSpanID = parentSpanID
        if context.sampled, let processor {
            self.processor = processor
            state = Locked(State(finished: FinishedSpan(
                context: context, parentSpanID: parentSpanID, name: name, kind: kind,
                startNanoseconds: Self.now(), endNanoseconds: 0, attributes: attributes)))
        } else {
            self.processor = nil
            state = nil
        }
    }

    /// Whether this span records (is sampled): callers may skip building attributes otherwise.
    public var isRecording: Bool { state != nil }

    /// Sets (or adds) an attribute; ignored once ended.
    public func setAttribute(_ key: String, _ value: SpanAttributeValue) {
        state?.withLock { state in
            guard !state.ended else { return }
            if let index = state.finished.attributes.firstIndex(where: { $0.key == key }) {
                state.finished.attributes[index].value = value
            } else {
                state.finished.attributes.append(SpanAttribute(key, value))
            }
        }
    }

    /// Records an event at this instant; ignored once ended.
    public func addEvent(_ name: String, attributes: [SpanAttribute] = []) {
        guard let state else { return }
        let event = SpanEvent(name: name, timeNanoseconds: Self.now(), attributes: attributes)
        state.withLock { state in
            guard !state.ended else { return }
            state.finished.events.append(event)
        }
    }

    /// Sets the status; the message of an error is exported, so it must hold no secret.
    public func setStatus(_ status: SpanStatus) {
        state?.withLock { state in
            guard !state.ended else { return }
            state.finished.status = status
        }
    }

    /// Ends the span and hands it to the processor; later calls do nothing.
    public func end() {
        guard let state, let processor else { return }
        let finished: FinishedSpan? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            state.finished.endNanoseconds = max(Self.now(), state.finished.startNanoseconds)
            return state.finished
        }
        if let finished { processor.onEnd(finished) }
    }

    /// Wall-clock nanoseconds since the Unix epoch: OTLP's time base.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
