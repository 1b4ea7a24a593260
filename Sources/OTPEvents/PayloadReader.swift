#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// Reads one payload object field by field, applying the contract's rules in a fixed order.
///
/// For each field: presence (`required`), then JSON type (`type`; `null` is a type error,
/// not an absence), then the value rules. Lengths count Unicode scalars, as JSON Schema's
/// `minLength`/`maxLength` do. Messages name the field and the rule, never the value.
struct PayloadReader {
    let payload: [String: JSONValue]

    /// The string at `field`; `nil` only when absent and not required.
    func string(_ field: String, required: Bool) throws(EventDecodingError) -> String? {
        guard let value = payload[field] else {
            if required { throw EventDecodingError(field: field, rule: .required, "is required") }
            return nil
        }
        guard case .string(let text) = value else {
            throw EventDecodingError(field: field, rule: .type, "must be a string, not \(value.typeName)")
        }
        return text
    }

    /// A string of `range` Unicode scalars.
    func string(_ field: String, required: Bool, length range: ClosedRange<Int>) throws(EventDecodingError) -> String? {
        guard let text = try string(field, required: required) else { return nil }
        let count = text.unicodeScalars.count
        if count < range.lowerBound {
            throw EventDecodingError(field: field, rule: .minLength, "must be at least \(range.lowerBound) characters, is \(count)")
        }
        if count > range.upperBound {
            throw EventDecodingError(field: field, rule: .maxLength, "must be at most \(range.upperBound) characters, is \(count)")
        }
        return text
    }

    /// A string of `range` ASCII digits (the schema's `pattern: ^[0-9]{m,n}$`).
    func digits(_ field: String, required: Bool, count range: ClosedRange<Int>) throws(EventDecodingError) -> String? {
        guard let text = try string(field, required: required) else { return nil }
        let utf8 = text.utf8
        guard range.contains(utf8.count), utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            let span = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw EventDecodingError(field: field, rule: .pattern, "must be \(span) ASCII digits")
        }
        return text
    }

    /// An integral JSON number in `range` (`4.0` counts as integral, as in JSON Schema).
    func integer(_ field: String, in range: ClosedRange<Int>) throws(EventDecodingError) -> Int? {
        guard let value = payload[field] else { return nil }
        guard let number = value.numberValue, number.isFinite, number.rounded(.towardZero) == number else {
            throw EventDecodingError(field: field, rule: .type, "must be an integer, not \(value.integerTypeName)")
        }
        if number < Double(range.lowerBound) {
            throw EventDecodingError(field: field, rule: .minimum, "must be at least \(range.lowerBound)")
        }
        if number > Double(range.upperBound) {
            throw EventDecodingError(field: field, rule: .maximum, "must be at most \(range.upperBound)")
        }
        return Int(number)
    }

    /// One of an enumeration's raw values.
    func enumeration<Value: RawRepresentable & CaseIterable>(_ field: String, as type: Value.Type) throws(EventDecodingError) -> Value?
    where Value.RawValue == String {
        guard let text = try string(field, required: false) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventDecodingError(field: field, rule: .enum, "must be one of \(allowed)")
        }
        return value
    }

    /// An RFC 3339 date-time with a time zone.
    func timestamp(_ field: String) throws(EventDecodingError) -> Date? {
        guard let text = try string(field, required: false) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw EventDecodingError(field: field, rule: .format, "must be an RFC 3339 date-time with a time zone")
        }
        return date
    }

    /// An object whose values are all strings.
    func stringMap(_ field: String) throws(EventDecodingError) -> [String: String]? {
        guard let value = payload[field] else { return nil }
        guard case .object = value else {
            throw EventDecodingError(field: field, rule: .type, "must be an object of strings, not \(value.typeName)")
        }
        guard let map = value.stringDictionary else {
            throw EventDecodingError(field: field, rule: .type, "must be an object whose values are all strings")
        }
        return map
    }
}

extension JSONValue {
    /// Like `typeName`, but says "a fractional number" for numbers that are not integral.
    fileprivate var integerTypeName: String {
        if numberValue != nil { return "a fractional number" }
        return typeName
    }

    /// The object as string-to-string, when this is an object whose values are all strings.
    var stringDictionary: [String: String]? {
        guard case .object(let object) = self else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(object.count)
        for (key, value) in object {
            guard case .string(let text) = value else { return nil }
            result[key] = text
        }
        return result
    }
}
