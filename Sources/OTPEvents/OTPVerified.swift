#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An `otp.verified` payload: the submitted code was right.
public struct OTPVerified: Sendable, Hashable {
    /// The verification that succeeded.
    public var verificationId: String
    /// The submission's `requestId`; omitted from the JSON when it gave none.
    public var requestId: String?
    /// The submission's `submissionId`; omitted from the JSON when it gave none.
    public var submissionId: String?
    /// When the provider confirmed the code.
    public var verifiedAt: Date
    /// The provider's transaction id; encoded as `null` when it gave none.
    public var transactionId: String?
    /// The submission's metadata, echoed; omitted from the JSON when absent.
    public var metadata: [String: String]?

    /// Creates the payload.
    public init(
        verificationId: String,
        requestId: String?,
        submissionId: String?,
        verifiedAt: Date,
        transactionId: String?,
        metadata: [String: String]?
    ) {
        self.verificationId = verificationId
        self.requestId = requestId
        self.submissionId = submissionId
        self.verifiedAt = verifiedAt
        self.transactionId = transactionId
        self.metadata = metadata
    }
}
