#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An `otp.sent` payload: the provider accepted the request and a code is on its way, or
/// (``resumed``) a code sent earlier for this number is still pending and the user holds it.
public struct OTPSent: Sendable, Hashable {
    /// The request's idempotency key.
    public var requestId: String
    /// The provider's verification id, always a string (the provider sends a number).
    public var verificationId: String
    /// The country calling code, as requested.
    public var countryCode: String
    /// The national number, as requested.
    public var mobileNumber: String
    /// The delivery channel used.
    public var flowType: OTPFlowType
    /// How long the code stays valid, parsed from the provider's `timeout` string; for a
    /// resumed verification, what it has left. 0 when the provider gave none.
    public var timeoutSeconds: Int
    /// The provider's transaction id; encoded as `null` when it gave none.
    public var transactionId: String?
    /// When the provider accepted the request.
    public var sentAt: Date
    /// The request's metadata, echoed; omitted from the JSON when absent.
    public var metadata: [String: String]?
    /// Whether the provider refused a new code (506) because one is still pending for this
    /// number, and named that verification, which this event carries instead of a failure:
    /// the user already holds its code. Written as `"resumed":true`, and only when true.
    public var resumed: Bool

    /// Creates the payload.
    ///
    /// - Parameter resumed: Whether ``verificationId`` names a verification that was already
    ///   pending rather than one this request started.
    public init(
        requestId: String,
        verificationId: String,
        countryCode: String,
        mobileNumber: String,
        flowType: OTPFlowType,
        timeoutSeconds: Int,
        transactionId: String?,
        sentAt: Date,
        metadata: [String: String]?,
        resumed: Bool = false
    ) {
        self.requestId = requestId
        self.verificationId = verificationId
        self.countryCode = countryCode
        self.mobileNumber = mobileNumber
        self.flowType = flowType
        self.timeoutSeconds = timeoutSeconds
        self.transactionId = transactionId
        self.sentAt = sentAt
        self.metadata = metadata
        self.resumed = resumed
    }
}
