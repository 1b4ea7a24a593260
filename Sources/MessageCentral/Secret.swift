/// A value that must never be printed: passwords, Base64 keys, tokens and OTP codes.
///
/// Redaction is a property of the type, not a habit of the caller: `description`,
/// `debugDescription`, string interpolation, `dump` and `Mirror` all show
/// `<redacted>`. The only way to the wrapped value is ``revealed``, which is easy
/// to find in review.
///
/// `Secret` is deliberately not `Codable`, so it cannot be serialised by accident.
public struct Secret<Value: Sendable>: Sendable {
    /// The wrapped value. Reading it is a deliberate act: never log, print or
    /// interpolate the result.
    public let revealed: Value

    /// Wraps a value so that it is redacted wherever it is described.
    ///
    /// - Parameter value: The secret value.
    public init(_ value: Value) {
        self.revealed = value
    }
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `<redacted>`.
    public var description: String { "<redacted>" }

    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }

    /// A mirror with no children, so `dump` and reflection cannot reach the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension Secret: Equatable where Value: Equatable {}
extension Secret: Hashable where Value: Hashable {}
