#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The user name and password a proxy asks for, sent as `Proxy-Authorization: Basic ...`.
///
/// Redacted like ``Secret``: `description`, `debugDescription`, string interpolation, `dump`
/// and `Mirror` all show `<redacted>`. Both parts are secret: a proxy account's name is often
/// a service account, and half of what the `Basic` header carries.
public struct ProxyCredentials: Sendable, Equatable {
    /// The user name, percent-decoded.
    public let username: Secret<String>
    /// The password, percent-decoded; empty when the URL gave none.
    public let password: Secret<String>

    /// Wraps a user name and password.
    ///
    /// - Parameters:
    ///   - username: The user name, already percent-decoded.
    ///   - password: The password, already percent-decoded.
    public init(username: String, password: String) {
        self.username = Secret(username)
        self.password = Secret(password)
    }

    /// `Basic` and the Base64 of `user:password` in UTF-8 (RFC 7617): the value of
    /// `Proxy-Authorization`, secret like its parts.
    var basicAuthorization: Secret<String> {
        let pair = username.revealed + ":" + password.revealed
        return Secret("Basic " + Data(pair.utf8).base64EncodedString())
    }
}

extension ProxyCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `<redacted>`.
    public var description: String { "<redacted>" }

    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }

    /// A mirror with no children, so `dump` and reflection cannot reach the parts.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
