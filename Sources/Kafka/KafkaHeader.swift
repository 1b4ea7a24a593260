/// One Kafka record header. Kafka allows repeated names and null values; both are kept.
public struct KafkaHeader: Sendable, Hashable {
    /// The header's name (UTF-8 on the wire).
    public var name: String
    /// The header's bytes; `nil` is a null value, distinct from an empty one.
    public var value: [UInt8]?

    /// Creates a header with raw bytes (or a null value).
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(name: String, string: String) {
        self.name = name
        self.value = Array(string.utf8)
    }

    /// The value decoded as UTF-8, or `nil` for a null value or invalid UTF-8.
    public var stringValue: String? {
        guard let value else { return nil }
        return String(validating: value, as: UTF8.self)
    }
}

extension Array where Element == KafkaHeader {
    /// The last header called `name` (the Kafka convention when a header repeats).
    public func last(named name: String) -> KafkaHeader? {
        last { $0.name == name }
    }
}
