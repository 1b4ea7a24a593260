/// The metadata keys of every log line the client writes, in one place.
///
/// Values under these keys are safe by construction: phone numbers are masked,
/// and no key ever carries a URL with its query, a token, the key or a code.
public enum MessageCentralLogKey: String, Sendable, CaseIterable {
    /// `send`, `validate`, `token` or `warm_up`.
    case operation = "message_central.operation"
    /// The attempt number within one call, from 1.
    case attempt = "message_central.attempt"
    /// The request path, never with its query (the query holds the key or the code).
    case path = "message_central.path"
    /// The HTTP status of an answer.
    case httpStatus = "message_central.http_status"
    /// The provider code that decided an answer.
    case providerCode = "message_central.provider_code"
    /// The failure reason's display text.
    case reason = "message_central.reason"
    /// A masked phone number, e.g. `+91******9999`.
    case phone = "message_central.phone"
    /// The verification id (not a secret: it is useless without the code).
    case verificationId = "message_central.verification_id"
    /// How long something took, in milliseconds.
    case durationMilliseconds = "message_central.duration_ms"
    /// The backoff before the next attempt, in milliseconds.
    case delayMilliseconds = "message_central.delay_ms"
    /// Seconds until a fresh token expires.
    case tokenLifetimeSeconds = "message_central.token_lifetime_s"
    /// A secret-free description of a failure.
    case error = "message_central.error"
}

extension MessageCentralLogKey {
    /// The key as swift-log wants it.
    var key: String { self.rawValue }
}
