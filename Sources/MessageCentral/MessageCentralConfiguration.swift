#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the client needs to reach the provider: where, as whom, and how
/// patiently. Read once at the edge (flags, environment) and passed in.
///
/// The password is a ``Secret`` and proxy credentials a ``ProxyCredentials``; describing or
/// dumping a configuration never shows either.
public struct MessageCentralConfiguration: Sendable {
    /// The production host, the default base URL.
    public static let productionBaseURL = "https://cpaas.messagecentral.com"

    /// Scheme, host and optional port (and path prefix) before `/auth/...` and
    /// `/verification/...`: production by default, a staging host or the sandbox when told.
    public var baseURL: String
    /// The account's customer id (e.g. `C-33432A5F49F7404`).
    public var customerID: String
    /// The account password; sent only as its Base64 form in the token request.
    public var password: Secret<String>
    /// Optional `country` parameter of the token request.
    public var country: String?
    /// Optional `email` parameter of the token request.
    public var email: String?
    /// Longest wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Longest wait for one HTTP attempt (capped by what is left of the call's deadline).
    public var requestTimeout: Duration
    /// Deadline of one call when the caller gives none: it covers every attempt,
    /// token fetches and backoff included.
    public var callDeadline: Duration
    /// How transient failures are retried within the deadline.
    public var retry: RetryPolicy
    /// How long before a token's `exp` a new one is fetched (at most half its lifetime).
    public var tokenRefreshMargin: Duration
    /// How long a token without `exp` is used before a new one is fetched.
    public var defaultTokenLifetime: Duration
    /// Most connections the client keeps open to the provider, one per concurrent call; calls
    /// beyond it wait for a free connection within their deadline.
    public var maximumConnectionsPerHost: Int
    /// Largest response body read; a larger one is a failed attempt.
    public var maximumResponseBytes: Int
    /// The HTTP proxy to reach the provider through, unless its ``ProviderProxy/noProxy``
    /// lists the provider's host; nil connects directly.
    public var proxy: ProviderProxy?

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - baseURL: Defaults to ``productionBaseURL``.
    ///   - customerID: The account's customer id.
    ///   - password: The account password (the client Base64-encodes it into `key`).
    ///   - country: Optional token parameter.
    ///   - email: Optional token parameter.
    ///   - connectTimeout: Default 5 s.
    ///   - requestTimeout: Default 10 s.
    ///   - callDeadline: Default 30 s.
    ///   - retry: Default exponential backoff with full jitter, 50 ms doubling to 2 s.
    ///   - tokenRefreshMargin: Default 60 s.
    ///   - defaultTokenLifetime: Default 10 minutes.
    ///   - maximumConnectionsPerHost: Default 32.
    ///   - maximumResponseBytes: Default 256 KiB.
    ///   - proxy: Default none: connect to the provider directly.
    public init(
        baseURL: String = MessageCentralConfiguration.productionBaseURL,
        customerID: String,
        password: Secret<String>,
        country: String? = nil,
        email: String? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(10),
        callDeadline: Duration = .seconds(30),
        retry: RetryPolicy = .exponentialJitter(),
        tokenRefreshMargin: Duration = .seconds(60),
        defaultTokenLifetime: Duration = .seconds(600),
        maximumConnectionsPerHost: Int = 32,
        maximumResponseBytes: Int = 256 * 1024,
        proxy: ProviderProxy? = nil
    ) {
        self.baseURL = baseURL
        self.customerID = customerID
        self.password = password
        self.country = country
        self.email = email
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.callDeadline = callDeadline
        self.retry = retry
        self.tokenRefreshMargin = tokenRefreshMargin
        self.defaultTokenLifetime = defaultTokenLifetime
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
        self.maximumResponseBytes = maximumResponseBytes
        self.proxy = proxy
    }

    /// The token request's `key`: Base64 of the password's UTF-8 bytes. Secret, like the password.
    var key: Secret<String> {
        Secret(Data(self.password.revealed.utf8).base64EncodedString())
    }

    /// The base URL without trailing slashes, so paths join with exactly one.
    var trimmedBaseURL: String {
        var url = Substring(self.baseURL)
        while url.hasSuffix("/") { url = url.dropLast() }
        return String(url)
    }
}
