import Hummingbird

/// Where a request path leads.
enum Route: Sendable, Equatable {
    /// One of the three emulated endpoints.
    case api(SandboxEndpoint)
    /// A path under `/sandbox/`.
    case control(ControlPath)
    /// Anything else.
    case unknown

    /// Resolves a request path (without its query).
    init(path: String) {
        switch path {
        case "/auth/v1/authentication/token": self = .api(.token)
        case "/verification/v3/send": self = .api(.send)
        // The document shows validateOtp both with and without a trailing slash.
        case "/verification/v3/validateOtp", "/verification/v3/validateOtp/": self = .api(.validate)
        default:
            if let control = ControlPath(rawValue: path) {
                self = .control(control)
            } else {
                self = .unknown
            }
        }
    }
}

extension SandboxEndpoint {
    /// The one method the document allows; anything else is 405, as its FAQ says.
    var method: HTTPRequest.Method {
        switch self {
        case .token, .validate, .all: .get
        case .send: .post
        }
    }
}

/// The test-and-development surface, which the real service does not have.
enum ControlPath: String, Sendable, CaseIterable {
    case otp = "/sandbox/otp"
    case stats = "/sandbox/stats"
    case faults = "/sandbox/faults"
    case latency = "/sandbox/latency"
    case expireTokens = "/sandbox/tokens/expire"
    case password = "/sandbox/password"
    case advanceClock = "/sandbox/clock/advance"
    case pendingNamesVerification = "/sandbox/pending-names-verification"
    case reset = "/sandbox/reset"

    /// Methods each path answers; others get 405.
    var methods: [HTTPRequest.Method] {
        switch self {
        case .otp, .stats: [.get]
        case .latency: [.post, .delete]
        case .pendingNamesVerification: [.get, .post]
        case .faults, .expireTokens, .password, .advanceClock, .reset: [.post]
        }
    }
}
