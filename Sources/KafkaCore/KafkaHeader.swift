/// One Kafka record header. Kafka allows repeated names and null values; both are kept.
public struct KafkaHeader: Sendable, Hashable {
    /// Where the value's bytes live: a header made from a string keeps the string, and its
    /// UTF-8 bytes go to librdkafka straight from it. An output carries six to nine headers,
    /// nearly all made from strings, so copying each into an array of its own would be the
    /// worker's most frequent allocation per record.
    private enum Storage: Sendable {
        case bytes([UInt8]?)
        case string(String)
    }

    /// The header's name (UTF-8 on the wire).
    public var name: String
    private var storage: Storage

    /// The header's bytes; `nil` is a null value, distinct from an empty one.
    public var value: [UInt8]? {
        get {
            switch storage {
            case .bytes(let bytes): bytes
            case .string(let string): Array(string.utf8)
            }
        }
        set { storage = .bytes(newValue) }
    }

    /// Creates a header with raw bytes (or a null value).
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.storage = .bytes(value)
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(name: String, string: String) {
        self.name = name
        self.storage = .string(string)
    }

    /// The value decoded as UTF-8, or `nil` for a null value or invalid UTF-8.
    public var stringValue: String? {
        switch storage {
        case .bytes(let bytes): bytes.flatMap { String(validating: $0, as: UTF8.self) }
        case .string(let string): string
        }
    }

    /// Calls `body` with the value's bytes: NULL for a null value, a valid pointer (to no
    /// bytes) for an empty one.
    package func withValueBytes<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
        switch storage {
        case .bytes(let bytes):
            return bytes.withOptionalBytes(body)
        case .string(let string):
            return string.withNonNullUTF8 { body($0, $1) }
        }
    }

    /// Headers are equal when their names and bytes are, however they were made.
    public static func == (lhs: KafkaHeader, rhs: KafkaHeader) -> Bool {
        guard lhs.name == rhs.name else { return false }
        switch (lhs.storage, rhs.storage) {
        case (.bytes(let left), .bytes(let right)): return left == right
        case (.string(let left), .string(let right)): return left.utf8.elementsEqual(right.utf8)
        default: return lhs.value == rhs.value
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}

extension Array where Element == KafkaHeader {
    /// The last header called `name` (the Kafka convention when a header repeats).
    public func last(named name: String) -> KafkaHeader? {
        last { $0.name == name }
    }
}
