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
    }

    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: String?
    public var timestampMilliseconds: Int64?
    /// `otp.requested` or `otp.submitted` when decoded.
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
    public var action: Action
    /// The provider call the worker would make, described without the code or the whole number.
    public var providerCall: String?
    /// With `--call-provider`: what the provider answered.
    public var providerResult: String?
}

extension ReplayVerdict {
    /// One line a person reads.
    public var text: String {
        var line = "\(topic)[\(partition)]@\(offset) key=\(key ?? "null")"
        if let event { line += " \(event)" }
        if let requestId { line += " requestId=\(requestId)" }
        if let submissionId { line += " submissionId=\(submissionId)" }
        switch action {
        case .deadLetter:
            line += " → dead-letter: \(decodeError?.message ?? "unreadable")"
        case .expire:
            line += " → REQUEST_EXPIRED (\(ageSeconds ?? 0)s old)"
        case .reemit:
            line += " → re-emit the first \(rememberedType ?? "outcome") of \(idempotencyKey ?? "?") (no provider call)"
        case .send, .validate:
            line += " → \(providerCall ?? action.rawValue)"
            if let ageSeconds { line += " (\(ageSeconds)s old)" }
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
        object["providerCall"] = providerCall.map(JSONValue.string)
        object["providerResult"] = providerResult.map(JSONValue.string)
        if let decodeError {
            object["decodeError"] = .object([
                "field": decodeError.field.map(JSONValue.string) ?? .null,
                "rule": .string(decodeError.rule), "message": .string(decodeError.message),
            ])
        }
        return String(decoding: JSONValue.object(object).serialized(), as: UTF8.self)
    }
}
