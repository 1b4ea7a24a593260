/// Why a request to the provider got no usable answer. Messages name no URL, header or host
/// detail beyond the error's kind: URLs carry the key or a code.
enum TransportError: Error, Sendable, Equatable {
    /// The base URL cannot be used; the text says why.
    case invalidBaseURL(String)
    /// The TLS configuration could not be made; the text is the error's kind.
    case tlsUnavailable(String)
    /// The client was shut down.
    case shutDown
    /// The caller's task was cancelled.
    case cancelled
    /// The answer did not come in time (or no connection was free in time).
    case timedOut
    /// No connection could be opened; the text is the error's kind.
    case connectFailed(String)
    /// The connection closed before the request was written: the provider never saw it.
    case notSent
    /// The connection closed after the request was written, before a whole answer came.
    case closedBeforeAnswer
    /// The answer's body is larger than the configured limit.
    case answerTooLarge(limit: Int)
    /// The connection failed while the answer was read; the text is the error's kind.
    case connectionFailed(String)
    /// The proxy answered `CONNECT` (or, for an `http` provider, a request) with this status
    /// instead of a 2xx; 407 means it wants credentials, or other ones than those sent.
    case proxyRefused(status: Int, credentialsSent: Bool)
    /// The proxy's answer to `CONNECT` is not HTTP the client can read; the text says how.
    case proxyUnreadable(String)

    /// False for failures that waiting cannot mend (configuration, shutdown). A proxy's refusal
    /// counts as transient, like a refused TCP connect: proxies change their rules and
    /// credentials while the worker runs, and a call retried within its deadline costs little.
    var isTransient: Bool {
        switch self {
        case .invalidBaseURL, .tlsUnavailable, .shutDown: false
        default: true
        }
    }

    var message: String {
        switch self {
        case .invalidBaseURL(let why): "invalid base URL: \(why)"
        case .tlsUnavailable(let kind): "TLS unavailable: \(kind)"
        case .shutDown: "the client is shut down"
        case .cancelled: "cancelled"
        case .timedOut: "no answer in time"
        case .connectFailed(let kind): "no connection: \(kind)"
        case .notSent: "the connection closed before the request was sent"
        case .closedBeforeAnswer: "the connection closed before the whole answer came"
        case .answerTooLarge(let limit): "the answer is larger than \(limit) bytes"
        case .connectionFailed(let kind): "the connection failed: \(kind)"
        case .proxyRefused(status: 407, credentialsSent: false):
            "the proxy wants credentials (407 Proxy Authentication Required): give them in the proxy URL, http://user:password@host:port"
        case .proxyRefused(status: 407, credentialsSent: true):
            "the proxy refused the credentials in the proxy URL (407 Proxy Authentication Required)"
        case .proxyRefused(let status, _): "the proxy refused to reach the provider: status \(status)"
        case .proxyUnreadable(let why): "the proxy's answer to CONNECT is unreadable: \(why)"
        }
    }

    /// The kind of an error. Descriptions are left out (a connect error's names addresses)
    /// except for TLS errors, which say why a handshake failed (an unknown issuer, an expired
    /// certificate, another host name) and hold nothing of a request.
    static func kind(of error: any Error) -> String {
        let name = String(describing: type(of: error))
        guard name.hasPrefix("NIOSSL") || name.hasPrefix("BoringSSL") else { return name }
        return String(String(describing: error).prefix(300))
    }
}
