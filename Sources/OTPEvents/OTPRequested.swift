#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A decoded `otp.requested`: a backend asks for a code to be sent to a phone.
///
/// Values are only made by `EventDecoder` (or by tests), so every field already
/// satisfies the contract's rules and defaults are applied: `flowType` is `.sms`
/// and `otpLength` is 4 when the event leaves them out.
public struct OTPRequested: Sendable, Hashable {
    /// The idempotency key of this OTP request, 1 to 128 characters.
    public var requestId: String
    /// The country calling code, 1 to 4 ASCII digits without `+`.
    public var countryCode: String
    /// The national number, 4 to 15 ASCII digits.
    public var mobileNumber: String
    /// The delivery channel (`.sms` when absent).
    public var flowType: OTPFlowType
    /// The number of digits in the code, 4 to 8 (4 when absent).
    public var otpLength: Int
    /// When the user asked; expiry counts from here (else from the Kafka timestamp).
    public var requestedAt: Date?
    /// Opaque backend data, echoed unchanged on every result.
    public var metadata: [String: String]?

    /// Creates a request; callers outside the decoder must keep the contract's rules themselves.
    public init(
        requestId: String,
        countryCode: String,
        mobileNumber: String,
        flowType: OTPFlowType = .sms,
        otpLength: Int = 4,
        requestedAt: Date? = nil,
        metadata: [String: String]? = nil
    ) {
        self.requestId = requestId
        self.countryCode = countryCode
        self.mobileNumber = mobileNumber
        self.flowType = flowType
        self.otpLength = otpLength
        self.requestedAt = requestedAt
        self.metadata = metadata
    }
}
