/// A proxy setting that cannot be used: an unsupported scheme, no host, a bad port or a bad
/// percent escape. The message names the flag or variable it came from and what is wrong,
/// never the URL itself, which may hold a password.
public struct ProxyConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, fit for a start-up error.
    public var message: String

    /// Wraps a message.
    ///
    /// - Parameter message: What is wrong; it must not quote the URL.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
