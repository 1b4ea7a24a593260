#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import OTPEvents

/// The first outcome of an idempotency key, as published: its event type, its exact JSON
/// payload and the CloudEvents identity of its first emission. Re-emitting it publishes these
/// bytes again, with that identity for the same input record and a new one for another.
///
/// It is also the value of an idempotency record in the idempotency topic, where the worker
/// keeps its memory across restarts and rebalances:
/// - topic `otp.idempotency` (configurable), compacted, with as many partitions as the inputs;
/// - partition: the input record's partition (co-partitioned: whoever owns input partition P
///   reads idempotency partition P when it is assigned);
/// - key: `requested/<requestId>` or `submitted/<submissionId>`, or
///   `record/<topic>/<partition>/<offset>` for a retryable failure (kept for that record only);
/// - value: `{"type":"otp.sent","at":1795720000000,"ce":{...},"payload":{...the output's JSON...}}`,
///   `at` in milliseconds since 1970 (entries older than the retention are ignored); `ce` is
///   the ``Emission``: `{"id":"…","source":"…","time":1795720000000,"input":{"topic":"…",
///   "partition":0,"offset":42}}`. Values written before `ce` existed load without it.
public struct RememberedOutcome: Sendable, Hashable {
    /// The output's event type: `otp.sent`, `otp.verified` or `otp.failed`.
    public var type: String
    /// The output's JSON payload, byte for byte.
    public var payload: [UInt8]
    /// The identity of its first emission; nil for an entry written before it was kept.
    public var emission: Emission?

    public init(type: String, payload: [UInt8], emission: Emission? = nil) {
        self.type = type
        self.payload = payload
        self.emission = emission
    }

    /// The outcome of a fresh output.
    ///
    /// The payload is copied into storage of its own size: the idempotency memory keeps it for
    /// the whole retention, and the encoder's buffer may be twice as large as its contents.
    public init(_ output: OTPOutput, emission: Emission? = nil) {
        let encoded = output.encoded()
        let exact = [UInt8](unsafeUninitializedCapacity: encoded.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: encoded)
        }
        self.init(type: output.eventType, payload: exact, emission: emission)
    }

    /// The idempotency key of a request or a submission.
    public static func key(requestId: String) -> String { "requested/" + requestId }
    public static func key(submissionId: String) -> String { "submitted/" + submissionId }

    /// The key of one input record, for outcomes that are not remembered by id (retryable
    /// failures): the record read again re-emits its outcome, a new record with the same id
    /// is processed anew.
    public static func key(topic: String, partition: Int32, offset: Int64) -> String {
        "record/\(topic)/\(partition)/\(offset)"
    }

    /// The idempotency record's value.
    public func recordValue(at date: Date) -> [UInt8] {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        // One buffer, sized up front: written once per first outcome.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48 + type.utf8.count + payload.count + (emission == nil ? 0 : 192))
        bytes.append(contentsOf: #"{"type":""#.utf8)
        bytes.append(contentsOf: type.utf8)
        bytes.append(contentsOf: #"","at":"#.utf8)
        bytes.append(contentsOf: String(milliseconds).utf8)  // 13 digits: a small string, not allocated
        if let emission {
            bytes.append(contentsOf: #","ce":{"id":"#.utf8)
            JSONWriter.appendString(emission.id, to: &bytes)
            bytes.append(contentsOf: #","source":"#.utf8)
            JSONWriter.appendString(emission.source, to: &bytes)
            bytes.append(contentsOf: #","time":"#.utf8)
            bytes.append(contentsOf: String(emission.milliseconds).utf8)
            bytes.append(contentsOf: #","input":{"topic":"#.utf8)
            JSONWriter.appendString(emission.input.topic, to: &bytes)
            bytes.append(contentsOf: #","partition":"#.utf8)
            bytes.append(contentsOf: String(emission.input.partition).utf8)
            bytes.append(contentsOf: #","offset":"#.utf8)
            bytes.append(contentsOf: String(emission.input.offset).utf8)
            bytes.append(contentsOf: "}}".utf8)
        }
        bytes.append(contentsOf: #","payload":"#.utf8)
        bytes.append(contentsOf: payload)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Reads an idempotency record's value; nil when it is not one (it is then ignored).
    ///
    /// Runs for every entry of the idempotency topic when a partition is assigned. As written by
    /// `recordValue`, the payload is the last member: the head and the payload are then read
    /// apart, each byte once, and the payload's own bytes are kept. Anything else is read whole
    /// and its payload written out again.
    public static func parse(recordValue bytes: [UInt8]) -> (outcome: RememberedOutcome, at: Date)? {
        if let (head, payload) = split(bytes), case .object(let envelope)? = JSONValue(parsing: head),
            JSONValue(parsing: payload)?.objectValue != nil
        {
            return outcome(envelope, payload: payload)
        }
        guard case .object(let object)? = JSONValue(parsing: bytes), let payload = object["payload"],
            payload.objectValue != nil
        else { return nil }
        return outcome(object, payload: payload.serialized())
    }

    /// `{HEAD,"payload":PAYLOAD}` as `{HEAD}` and `PAYLOAD`. The marker's quotes cannot occur
    /// unescaped inside a string, so a wrong split (a nested `"payload"`) fails to parse.
    private static func split(_ bytes: [UInt8]) -> (head: [UInt8], payload: [UInt8])? {
        let marker = Array(#","payload":"#.utf8)
        guard bytes.last == UInt8(ascii: "}"), let range = bytes.firstRange(of: marker) else { return nil }
        return (Array(bytes[..<range.lowerBound]) + [UInt8(ascii: "}")], Array(bytes[range.upperBound..<(bytes.count - 1)]))
    }

    private static func outcome(_ envelope: [String: JSONValue], payload: [UInt8]) -> (outcome: RememberedOutcome, at: Date)? {
        guard let type = envelope["type"]?.stringValue, ["otp.sent", "otp.verified", "otp.failed"].contains(type),
            let at = envelope["at"]?.numberValue
        else { return nil }
        return (
            RememberedOutcome(type: type, payload: payload, emission: envelope["ce"].flatMap(emission)),
            Date(timeIntervalSince1970: at / 1000))
    }

    private static func emission(_ value: JSONValue) -> Emission? {
        guard let object = value.objectValue, let id = object["id"]?.stringValue, let source = object["source"]?.stringValue,
            case .integer(let time)? = object["time"], let input = object["input"]?.objectValue,
            let topic = input["topic"]?.stringValue, case .integer(let partition)? = input["partition"],
            let partition = Int32(exactly: partition), case .integer(let offset)? = input["offset"]
        else { return nil }
        return Emission(
            id: id, source: source, milliseconds: time, input: Emission.Input(topic: topic, partition: partition, offset: offset))
    }
}
