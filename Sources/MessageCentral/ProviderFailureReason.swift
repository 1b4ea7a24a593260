/// Why a provider call failed. The raw value is the display text used in
/// `otp.failed.reason`.
///
/// The provider's documented codes each have a case; the client adds
/// `PROVIDER_UNAVAILABLE` (no usable answer within the deadline), `UNAUTHORIZED`
/// (no token could be had, or the provider refused it twice) and
/// `UNEXPECTED_RESPONSE` (a code or body the document does not describe).
public enum ProviderFailureReason: String, Sendable, Hashable, CaseIterable {
    /// 702: the code does not match.
    case wrongOTPProvided = "WRONG_OTP_PROVIDED"
    /// 705: the code's validity ran out.
    case verificationExpired = "VERIFICATION_EXPIRED"
    /// 703: the verification was already completed. Never a success: treating it
    /// as one would let a code be replayed.
    case alreadyVerified = "ALREADY_VERIFIED"
    /// 700: the verification failed (e.g. too many attempts).
    case verificationFailed = "VERIFICATION_FAILED"
    /// 800: a sending limit was reached.
    case maximumLimitReached = "MAXIMUM_LIMIT_REACHED"
    /// 511: the country code is not valid.
    case invalidCountryCode = "INVALID_COUNTRY_CODE"
    /// 505: the verification id is unknown.
    case invalidVerificationID = "INVALID_VERIFICATION_ID"
    /// 506: a verification is already pending for this number (a cool-down of about the OTP timeout).
    case requestAlreadyExists = "REQUEST_ALREADY_EXISTS"
    /// 409: duplicate resource.
    case duplicateResource = "DUPLICATE_RESOURCE"
    /// 400: the provider rejected the request.
    case badRequest = "BAD_REQUEST"
    /// 501: the customer id is not valid.
    case invalidCustomerID = "INVALID_CUSTOMER_ID"
    /// 500 (or another undocumented 5xx): the provider failed.
    case serverError = "SERVER_ERROR"
    /// No usable answer within the deadline: transport errors, timeouts, 5xx.
    case providerUnavailable = "PROVIDER_UNAVAILABLE"
    /// The provider refused the credentials or the token.
    case unauthorized = "UNAUTHORIZED"
    /// An answer the document does not describe: an unknown code, a non-JSON body
    /// (e.g. a "Whitelabel Error Page", meaning a wrong host or path), or a
    /// success without the fields a success must carry.
    case unexpectedResponse = "UNEXPECTED_RESPONSE"

    /// Whether the backend may usefully try again later with the same request
    /// (the contract's `retryable`).
    ///
    /// This is not whether the client retries on its own: the client retries only
    /// transient failures (5xx, transport, timeouts) within one call's deadline.
    public var isRetryable: Bool {
        switch self {
        case .providerUnavailable, .serverError, .unauthorized, .maximumLimitReached, .requestAlreadyExists:
            return true
        case .wrongOTPProvided, .verificationExpired, .alreadyVerified, .verificationFailed,
            .invalidCountryCode, .invalidVerificationID, .duplicateResource, .badRequest,
            .invalidCustomerID, .unexpectedResponse:
            return false
        }
    }

    /// A lower-case label with a fixed set of values, safe as a metric dimension.
    public var metricLabel: String { self.rawValue.lowercased() }
}
