#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import MessageCentral
import OTPEvents

/// What the worker would do with one record, and why: the unit of `otp-worker replay`'s output.
public struct ReplayVerdict: Sendable, Hashable {
    /// What the worker would publish.
    public enum Action: String, Sendable, Hashable {
        /// Call the provider to send a code.
        case send
        /// Call the provider to check a code.
        case validate
        /// Re-emit the first outcome of this idempotency key (no provider call).
        case reemit
        /// Fail with `REQUEST_EXPIRED` (no provider call).
        case expire
        /// Fail with stage `decode` and copy the record to the DLQ.
        case deadLetter = "dead-letter"
        /// A record of the DLQ whose input topic is not known: not judged (``originProblem`` says why).
        case unknownOrigin = "unknown-origin"
    }

    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: String?
    public var timestampMilliseconds: Int64?
    /// `otp.requested` or `otp.submitted`: the input it is judged as (a dead letter as the
    /// input it was first read from), whether or not it decodes.
    public var event: String?
    public var requestId: String?
    public var verificationId: String?
    public var submissionId: String?
    /// Why the record does not decode (field, rule and message), when it does not.
    public var decodeError: EventDecodingError?
    /// The request's age when judged, when known.
    public var ageSeconds: Int?
    /// The idempotency key, and the event type of the first outcome when remembered.
    public var idempotencyKey: String?
    public var rememberedType: String?
    /// Then and now, for a record whose first outcome is remembered: what was published then
    /// (its type, and its reason when it failed), what a fresh judgement would do now without
    /// that memory, and whether the two differ (nil when only the provider can tell).
    public var then: String?
    public var freshAction: Action?
    public var differs: Bool?
    public var action: Action
    /// For a dead letter: where it was read first and why it was dead-lettered then.
    public var deadLetter: DeadLetterOrigin?
    /// With ``Action/unknownOrigin``: why the record's input topic is not known.
    public var originProblem: String?
    /// The provider call the worker would make, described without the code or the whole number.
    public var providerCall: String?
    /// With `--call-provider`: what the provider answered.
    public var providerResult: String?
    /// What the fraud guard would say of this send now (`admit`, or the refusal and its
    /// rule), against the group's sends as read from Kafka; nil when the guard is off or the
    /// record is no fresh send.
    public var guardVerdict: String?
}

extension ReplayVerdict {
    /// One line a person reads.
    public var text: String {
        var line = "\(topic)[\(partition)]@\(offset) key=\(key ?? "null")"
        if let event { line += " \(event)" }
        if let requestId { line += " requestId=\(requestId)" }
        if let submissionId { line += " submissionId=\(submissionId)" }
        if let deadLetter {
            // Then beside now: the reason it was dead-lettered, before what would happen today.
            let why = [deadLetter.reason, deadLetter.message].compactMap { $0 }.joined(separator: ": ")
            line += " [dead-lettered from \(deadLetter.position)\(why.isEmpty ? "" : ": \(why)")]"
        }
        switch action {
        case .unknownOrigin:
            line += " → not judged: \(originProblem ?? "unknown input topic")"
        case .deadLetter:
            line += " → dead-letter: \(decodeError?.message ?? "unreadable")"
        case .expire:
            line += " → REQUEST_EXPIRED (\(ageSeconds ?? 0)s old)"
        case .reemit:
            line += " → re-emit the first \(rememberedType ?? "outcome") of \(idempotencyKey ?? "?") (no provider call)"
            if let then, let freshAction {
                let verdict = differs.map { $0 ? "differs" : "same" } ?? "the provider decides"
                line += "; then \(then), fresh now \(freshAction.rawValue): \(verdict)"
            }
        case .send, .validate:
            line += " → \(providerCall ?? action.rawValue)"
            if let ageSeconds { line += " (\(ageSeconds)s old)" }
            if let guardVerdict { line += "; guard: \(guardVerdict)" }
        }
        if let providerResult { line += " ⇒ \(providerResult)" }
        return line
    }

    /// One JSON object (for `--format json`: one per line).
    public var json: String {
        var object: [String: JSONValue] = [
            "topic": .string(topic), "partition": .integer(Int64(partition)), "offset": .integer(Int64(offset)),
            "action": .string(action.rawValue),
        ]
        object["key"] = key.map(JSONValue.string)
        object["timestamp"] = timestampMilliseconds.map { .integer(Int64($0)) }
        object["event"] = event.map(JSONValue.string)
        object["requestId"] = requestId.map(JSONValue.string)
        object["verificationId"] = verificationId.map(JSONValue.string)
        object["submissionId"] = submissionId.map(JSONValue.string)
        object["ageSeconds"] = ageSeconds.map { .integer(Int64($0)) }
        object["idempotencyKey"] = idempotencyKey.map(JSONValue.string)
        object["remembered"] = rememberedType.map(JSONValue.string)
        object["then"] = then.map(JSONValue.string)
        object["freshAction"] = freshAction.map { .string($0.rawValue) }
        object["differs"] = differs.map(JSONValue.bool)
        object["providerCall"] = providerCall.map(JSONValue.string)
        object["providerResult"] = providerResult.map(JSONValue.string)
        object["guard"] = guardVerdict.map(JSONValue.string)
        object["originProblem"] = originProblem.map(JSONValue.string)
        if let deadLetter {
            var then: [String: JSONValue] = ["topic": .string(deadLetter.topic)]
            then["partition"] = deadLetter.partition.map { .integer(Int64($0)) }
            then["offset"] = deadLetter.offset.map { .integer($0) }
            then["stage"] = deadLetter.stage.map(JSONValue.string)
            then["reason"] = deadLetter.reason.map(JSONValue.string)
            then["message"] = deadLetter.message.map(JSONValue.string)
            object["deadLettered"] = .object(then)
        }
        if let decodeError {
            object["decodeError"] = .object([
                "field": decodeError.field.map(JSONValue.string) ?? .null,
                "rule": .string(decodeError.rule), "message": .string(decodeError.message),
            ])
        }
        return String(decoding: JSONValue.object(object).serialized(), as: UTF8.self)
    }
}
