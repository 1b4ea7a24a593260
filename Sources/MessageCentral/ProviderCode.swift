/// The meaning of one provider result code, whatever field it came from.
///
/// Pure mapping, tested without I/O. Codes 501, 505, 506 and 511 look like
/// HTTP 5xx but are business answers from the provider's table: they are never
/// retried. Only 500 and undocumented 5xx are server failures.
enum ProviderCode {
    /// What a code says about the call.
    enum Meaning: Hashable {
        /// 200.
        case success
        /// 401 or 403: the token was refused; refresh it once.
        case unauthorized
        /// A failure; `transient` ones are retried within the deadline.
        case failure(ProviderFailureReason, transient: Bool)
    }

    /// Maps a code to its meaning.
    ///
    /// - Parameter code: A body `responseCode`, `data.responseCode` or HTTP status.
    static func meaning(of code: Int) -> Meaning {
        switch code {
        case 200: return .success
        case 401, 403: return .unauthorized
        case 400: return .failure(.badRequest, transient: false)
        case 409: return .failure(.duplicateResource, transient: false)
        // Too Many Requests is a rate limit like 800; 4xx is never retried by the client.
        case 429: return .failure(.maximumLimitReached, transient: false)
        case 500: return .failure(.serverError, transient: true)
        case 501: return .failure(.invalidCustomerID, transient: false)
        case 505: return .failure(.invalidVerificationID, transient: false)
        case 506: return .failure(.requestAlreadyExists, transient: false)
        case 511: return .failure(.invalidCountryCode, transient: false)
        case 700: return .failure(.verificationFailed, transient: false)
        case 702: return .failure(.wrongOTPProvided, transient: false)
        case 703: return .failure(.alreadyVerified, transient: false)
        case 705: return .failure(.verificationExpired, transient: false)
        case 800: return .failure(.maximumLimitReached, transient: false)
        // 502, 503, 504 and friends come from gateways in front of the provider.
        case 500..<600: return .failure(.serverError, transient: true)
        default: return .failure(.unexpectedResponse, transient: false)
        }
    }
}
