import Foundation
import KafkaCore
import OTPEvents

/// Shorthands for decoding text in tests.
enum Decode {
    static let decoder = EventDecoder()

    static func requested(_ json: String, headers: [KafkaHeader] = []) throws(EventDecodingError) -> OTPRequested {
        let decoded = try decoder.decode(value: Array(json.utf8), headers: headers, kind: .requested)
        guard case .requested(let value) = decoded.input else { fatalError("wrong kind") }
        return value
    }

    static func submitted(_ json: String, headers: [KafkaHeader] = []) throws(EventDecodingError) -> OTPSubmitted {
        let decoded = try decoder.decode(value: Array(json.utf8), headers: headers, kind: .submitted)
        guard case .submitted(let value) = decoded.input else { fatalError("wrong kind") }
        return value
    }

    /// The error for `value`, or nil when it decodes.
    static func error(_ value: [UInt8]?, kind: OTPInputKind = .requested, headers: [KafkaHeader] = [], decoder: EventDecoder = decoder) -> EventDecodingError? {
        do throws(EventDecodingError) {
            _ = try decoder.decode(value: value, headers: headers, kind: kind)
            return nil
        } catch {
            return error
        }
    }

    static func error(_ json: String, kind: OTPInputKind = .requested) -> EventDecodingError? {
        error(Array(json.utf8), kind: kind)
    }

    /// A requested payload with `field` replaced by the JSON text `value` (or removed when nil).
    static func requestedJSON(_ field: String, _ value: String?) -> String {
        var fields = [
            "requestId": #""req-1""#, "countryCode": #""91""#, "mobileNumber": #""9876543210""#,
        ]
        fields[field] = value
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    static func submittedJSON(_ field: String, _ value: String?) -> String {
        var fields = ["verificationId": #""2893471""#, "code": #""4821""#]
        fields[field] = value
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
}
