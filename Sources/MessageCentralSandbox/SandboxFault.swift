/// Trouble the sandbox can cause on purpose, for the next few calls.
public enum SandboxFault: Sendable, Equatable {
    /// Answer with this 5xx status. 500 carries the provider's `SERVER_ERROR`
    /// JSON body; other statuses carry an HTML page, as a gateway in front of
    /// the service would.
    case serverError(status: Int)
    /// Wait this long, then answer normally.
    case latency(Duration)
    /// Never answer: hold the request until the client gives up (closes the
    /// connection) or the sandbox stops; then close without a response.
    case hang
    /// Close the TCP connection without writing a response.
    case dropConnection
    /// Carry the call out (a send creates its verification), then close the connection
    /// without the answer: the provider acted, and the client cannot know it.
    case answerLost

    /// HTTP 500 with the provider's `SERVER_ERROR` body.
    public static let internalServerError = SandboxFault.serverError(status: 500)
}

/// The emulated endpoints a fault can be aimed at.
public enum SandboxEndpoint: String, Sendable, CaseIterable {
    /// `GET /auth/v1/authentication/token`.
    case token
    /// `POST /verification/v3/send`.
    case send
    /// `GET /verification/v3/validateOtp`.
    case validate
    /// Whichever of the three is called next.
    case all
}

/// Calls the emulated API has received since start or the last reset.
///
/// Every request counts, including refused and faulted ones: the numbers say
/// what reached the provider, not what succeeded. The `/sandbox/` control
/// surface is not counted.
public struct SandboxStats: Sendable, Equatable, Codable {
    /// Calls to the token endpoint.
    public var tokenFetches: Int
    /// Calls to the send endpoint.
    public var sends: Int
    /// Calls to the validate endpoint.
    public var validations: Int
    /// All calls outside `/sandbox/`, unknown paths included.
    public var total: Int

    /// Creates counters; all zero by default.
    public init(tokenFetches: Int = 0, sends: Int = 0, validations: Int = 0, total: Int = 0) {
        self.tokenFetches = tokenFetches
        self.sends = sends
        self.validations = validations
        self.total = total
    }
}
