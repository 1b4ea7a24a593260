import JSON
import KafkaCore

/// Turns one input record (value and headers) into an `OTPInput` or says exactly why not.
///
/// Pure and cheap: no I/O, no regular expressions, one pass over the bytes to check
/// UTF-8 and one to parse JSON. The rules are the contract's (docs/events.md), the same
/// ones `schemas/*.schema.json` state; `OTPEventsTests` checks both against one set of
/// examples so they cannot drift apart.
public struct EventDecoder: Sendable {
    /// Values with more bytes than this are refused (`tooLarge`) before parsing.
    public var maxEventBytes: Int

    /// Creates a decoder.
    ///
    /// - Parameter maxEventBytes: the largest record value accepted, `OTP_MAX_EVENT_BYTES`.
    public init(maxEventBytes: Int = 65_536) {
        self.maxEventBytes = maxEventBytes
    }

    /// Decodes one record value of the given topic kind.
    ///
    /// Accepts plain JSON, CloudEvents binary mode (the value is the payload; `ce_id`,
    /// `traceparent`, `tracestate` headers) and CloudEvents structured mode (header
    /// `content-type: application/cloudevents+json`; the payload is the envelope's `data`
    /// object or its `data_base64`). Unknown fields are ignored.
    ///
    /// - Parameters:
    ///   - value: the record value; `nil` is a tombstone.
    ///   - headers: the record headers.
    ///   - kind: which input topic the record came from.
    /// - Throws: `EventDecodingError` naming the field and rule; its `partial` holds the
    ///   identifiers the payload carried so that `otp.failed` can echo them.
    public func decode(value: [UInt8]?, headers: [KafkaHeader], kind: OTPInputKind) throws(EventDecodingError) -> DecodedInput {
        guard let value else { throw EventDecodingError(field: nil, rule: .nullValue, "is null (a tombstone)") }
        guard !value.isEmpty else { throw EventDecodingError(field: nil, rule: .emptyValue, "is empty") }
        guard value.count <= maxEventBytes else {
            throw EventDecodingError(field: nil, rule: .tooLarge, "is \(value.count) bytes, more than the maximum of \(maxEventBytes)")
        }
        var context = InputContext(headers: headers)
        let root = try Self.parseDocument(value)
        let payload: [String: JSONValue]
        if Self.isStructuredMode(headers) {
            payload = try Self.unwrapStructured(root, into: &context)
        } else {
            guard case .object(let object) = root else {
                throw EventDecodingError(field: nil, rule: .notObject, "must be a JSON object, not \(root.typeName)")
            }
            payload = object
        }
        do throws(EventDecodingError) {
            let input: OTPInput =
                switch kind {
                case .requested: .requested(try OTPRequested(payload: payload))
                case .submitted: .submitted(try OTPSubmitted(payload: payload))
                }
            return DecodedInput(input: input, context: context)
        } catch {
            var error = error
            error.partial = PartialIdentifiers(payload: payload)
            throw error
        }
    }

    /// Checks UTF-8 and parses JSON.
    static func parseDocument(_ bytes: [UInt8]) throws(EventDecodingError) -> JSONValue {
        let result: Result<JSONValue, EventDecodingError> = bytes.withUnsafeBufferPointer { buffer in
            guard UTF8Validation.isValid(buffer) else {
                return .failure(EventDecodingError(field: nil, rule: .invalidUTF8, "is not valid UTF-8"))
            }
            do throws(JSONParseError) {
                return .success(try JSONParser.parse(buffer))
            } catch {
                return .failure(EventDecodingError(field: nil, rule: .notJSON, "not JSON: \(error.message) at byte \(error.offset)"))
            }
        }
        return try result.get()
    }
}
