#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An `otp.sent` payload: the provider accepted the request and a code is on its way.
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
    /// How long the code stays valid, parsed from the provider's `timeout` string.
    public var timeoutSeconds: Int
    /// The provider's transaction id; encoded as `null` when it gave none.
    public var transactionId: String?
    /// When the provider accepted the request.
    public var sentAt: Date
    /// The request's metadata, echoed; omitted from the JSON when absent.
    public var metadata: [String: String]?

    /// Creates the payload.
    public init(
        requestId: String,
        verificationId: String,
        countryCode: String,
        mobileNumber: String,
        flowType: OTPFlowType,
        timeoutSeconds: Int,
        transactionId: String?,
        sentAt: Date,
        metadata: [String: String]?
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
    }
}
