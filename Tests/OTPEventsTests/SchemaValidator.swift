import Foundation
import OTPEvents

/// One way an instance breaks a schema, in the decoder's terms: the top-level field
/// (nil for the document) and the JSON Schema keyword that failed.
struct SchemaViolation: Hashable, CustomStringConvertible {
    var field: String?
    var rule: String

    var description: String { "\(field ?? "<document>"):\(rule)" }
}

/// The schema uses something this validator does not implement: the test must fail
/// rather than quietly skip a rule that the decoder might not share.
struct UnsupportedSchemaFeature: Error, CustomStringConvertible {
    var description: String
}

/// A JSON Schema (draft 2020-12) validator for exactly the keywords `schemas/*.schema.json`
/// use: type, required, properties, additionalProperties, minLength, maxLength, pattern
/// (only `^[class]{m,n}$`), enum, const, minimum, maximum, format (only date-time), local
/// `$ref`, and the applicators allOf, not and if/then/else. A violation inside an applicator
/// keeps the innermost keyword and top-level field, as the `jsonschema` package reports it.
/// Any other keyword throws `UnsupportedSchemaFeature`.
struct SchemaValidator {
    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "default", "$defs", "$comment", "examples"]

    let root: TestJSON

    init(contentsOf url: URL) throws {
        root = try JSONDecoder().decode(TestJSON.self, from: Data(contentsOf: url))
    }

    /// Every violation, with `field` the top-level property it happened under.
    func violations(of instance: TestJSON) throws -> Set<SchemaViolation> {
        var found: Set<SchemaViolation> = []
        try validate(instance, against: root, field: nil, into: &found)
        return found
    }

    private func validate(_ instance: TestJSON, against schema: TestJSON, field: String?, into found: inout Set<SchemaViolation>) throws {
        switch schema {
        case .bool(true): return
        case .bool(false): found.insert(SchemaViolation(field: field, rule: "false")); return
        case .object: break
        default: throw UnsupportedSchemaFeature(description: "a schema that is neither an object nor a boolean")
        }
        let keywords = schema.object!
        for (keyword, argument) in keywords.sorted(by: { $0.key < $1.key }) {
            func fail() { found.insert(SchemaViolation(field: field, rule: keyword)) }
            switch keyword {
            case _ where Self.annotations.contains(keyword):
                continue
            case "$ref":
                try validate(instance, against: resolve(argument), field: field, into: &found)
            case "allOf":
                guard case .array(let subschemas) = argument else { throw UnsupportedSchemaFeature(description: "allOf not an array") }
                for subschema in subschemas { try validate(instance, against: subschema, field: field, into: &found) }
            case "not":
                var inner: Set<SchemaViolation> = []
                try validate(instance, against: argument, field: field, into: &inner)
                if inner.isEmpty { fail() }
            case "if":
                var condition: Set<SchemaViolation> = []
                try validate(instance, against: argument, field: field, into: &condition)
                if let branch = keywords[condition.isEmpty ? "then" : "else"] {
                    try validate(instance, against: branch, field: field, into: &found)
                }
            case "then", "else":
                continue  // applied by "if"; without an "if" they mean nothing
            case "const":
                if instance != argument { fail() }
            case "type":
                if !(try Self.hasType(instance, argument)) { fail() }
            case "enum":
                guard case .array(let allowed) = argument else { throw UnsupportedSchemaFeature(description: "enum not an array") }
                if !allowed.contains(instance) { fail() }
            case "required":
                guard case .object(let object) = instance, case .array(let names) = argument else { continue }
                for case .string(let name) in names where object[name] == nil {
                    found.insert(SchemaViolation(field: field ?? name, rule: "required"))
                }
            case "properties":
                guard case .object(let object) = instance, case .object(let properties) = argument else { continue }
                for (name, subschema) in properties {
                    if let value = object[name] { try validate(value, against: subschema, field: field ?? name, into: &found) }
                }
            case "additionalProperties":
                guard case .object(let object) = instance else { continue }
                let declared = keywords["properties"]?.object ?? [:]
                for (name, value) in object where declared[name] == nil {
                    try validate(value, against: argument, field: field ?? name, into: &found)
                }
            case "minLength", "maxLength":
                guard case .string(let text) = instance, case .number(let limit) = argument else { continue }
                let count = Double(text.unicodeScalars.count)
                if keyword == "minLength" ? count < limit : count > limit { fail() }
            case "minimum", "maximum":
                guard case .number(let number) = instance, case .number(let limit) = argument else { continue }
                if keyword == "minimum" ? number < limit : number > limit { fail() }
            case "pattern":
                guard case .string(let text) = instance else { continue }
                if !(try DigitPattern(argument.string ?? "").matches(text)) { fail() }
            case "format":
                guard argument == .string("date-time") else { throw UnsupportedSchemaFeature(description: "format \(argument)") }
                guard case .string(let text) = instance else { continue }
                if RFC3339.parse(text) == nil { fail() }
            default:
                throw UnsupportedSchemaFeature(description: "keyword \(keyword)")
            }
        }
    }

    private func resolve(_ reference: TestJSON) throws -> TestJSON {
        guard let text = reference.string, text.hasPrefix("#/") else {
            throw UnsupportedSchemaFeature(description: "$ref \(reference) (only local references)")
        }
        var node = root
        for part in text.dropFirst(2).split(separator: "/") {
            guard let next = node.object?[String(part)] else { throw UnsupportedSchemaFeature(description: "$ref \(text) does not resolve") }
            node = next
        }
        return node
    }

    private static func hasType(_ instance: TestJSON, _ type: TestJSON) throws -> Bool {
        switch type {
        case .array(let types): return try types.contains { try hasType(instance, $0) }
        case .string(let name):
            switch (name, instance) {
            case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string),
                ("array", .array), ("object", .object):
                return true
            case ("integer", .number(let number)):
                return number.isFinite && number.rounded(.towardZero) == number
            case ("null", _), ("boolean", _), ("number", _), ("string", _), ("array", _), ("object", _), ("integer", _):
                return false
            default:
                throw UnsupportedSchemaFeature(description: "type \(name)")
            }
        default:
            throw UnsupportedSchemaFeature(description: "type \(type)")
        }
    }
}

/// The only regular expressions the schemas use: `^[ranges]{m,n}$` (or `{n}`), with
/// ECMA-262's meaning of `$` (the very end). Anything else is unsupported.
struct DigitPattern {
    var ranges: [ClosedRange<Unicode.Scalar>] = []
    var count: ClosedRange<Int>

    init(_ pattern: String) throws {
        let scalars = Array(pattern.unicodeScalars)
        guard scalars.count > 6, scalars.first == "^", scalars[1] == "[", scalars.last == "$",
            let close = scalars.firstIndex(of: "]"), let open = scalars.firstIndex(of: "{"), open == close + 1,
            scalars[scalars.count - 2] == "}"
        else { throw UnsupportedSchemaFeature(description: "pattern \(pattern)") }
        var index = 2
        while index < close {
            if index + 2 < close, scalars[index + 1] == "-" {
                ranges.append(scalars[index]...scalars[index + 2])
                index += 3
            } else {
                ranges.append(scalars[index]...scalars[index])
                index += 1
            }
        }
        let bounds = String(String.UnicodeScalarView(scalars[(open + 1)..<(scalars.count - 2)])).split(separator: ",", omittingEmptySubsequences: false)
        guard let low = Int(bounds[0]), bounds.count <= 2, let high = bounds.count == 2 ? Int(bounds[1]) : low, low <= high else {
            throw UnsupportedSchemaFeature(description: "pattern \(pattern)")
        }
        count = low...high
    }

    func matches(_ text: String) -> Bool {
        count.contains(text.unicodeScalars.count) && text.unicodeScalars.allSatisfy { scalar in ranges.contains { $0.contains(scalar) } }
    }
}
