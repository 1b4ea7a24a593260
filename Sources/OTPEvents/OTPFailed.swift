#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An `otp.failed` payload: the input's one outcome when it did not succeed.
///
/// `message` is published as is: it must never contain the OTP code, the provider
/// token or the password. The three ids are always present in the JSON, `null` when
/// the input did not carry them (or was unreadable).
public struct OTPFailed: Sendable, Hashable {
    /// Where it failed.
    public var stage: FailureStage
    /// A provider display text or one of the worker's own reasons (`INVALID_EVENT`, ...).
    public var reason: String
    /// The provider's body `responseCode`, else the HTTP status; `nil` when it never answered.
    public var providerCode: Int?
    /// A human-readable explanation, free of secrets.
    public var message: String
    /// Whether trying again later with the same request may help (see `OTPFailed.retryableReasons`).
    public var retryable: Bool
    /// The input's `requestId`, if it carried one.
    public var requestId: String?
    /// The input's `verificationId`, if it carried one.
    public var verificationId: String?
    /// The input's `submissionId`, if it carried one.
    public var submissionId: String?
    /// When the worker gave up.
    public var failedAt: Date
    /// The input's metadata, echoed; omitted from the JSON when absent.
    public var metadata: [String: String]?
    /// With `RATE_LIMITED` only: whole seconds until the limit that refused the send admits one
    /// again; omitted from the JSON otherwise.
    public var retryAfterSeconds: Int?

    /// Creates the payload.
    public init(
        stage: FailureStage,
        reason: String,
        providerCode: Int?,
        message: String,
        retryable: Bool,
        requestId: String?,
        verificationId: String?,
        submissionId: String?,
        failedAt: Date,
        metadata: [String: String]?,
        retryAfterSeconds: Int? = nil
    ) {
        self.stage = stage
        self.reason = reason
        self.providerCode = providerCode
        self.message = message
        self.retryable = retryable
        self.requestId = requestId
        self.verificationId = verificationId
        self.submissionId = submissionId
        self.failedAt = failedAt
        self.metadata = metadata
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The `stage: decode` outcome of an unreadable input, echoing whatever ids it still carried.
    public init(decodingError error: EventDecodingError, failedAt: Date) {
        self.init(
            stage: .decode,
            reason: error.reason,
            providerCode: nil,
            message: error.message,
            retryable: false,
            requestId: error.partial.requestId,
            verificationId: error.partial.verificationId,
            submissionId: error.partial.submissionId,
            failedAt: failedAt,
            metadata: error.partial.metadata
        )
    }

    /// The reasons for which the contract sets `retryable: true`.
    public static let retryableReasons: Set<String> = [
        "PROVIDER_UNAVAILABLE", "SERVER_ERROR", "UNAUTHORIZED", "MAXIMUM_LIMIT_REACHED", "REQUEST_ALREADY_EXISTS",
        "RATE_LIMITED",
    ]

    /// Every reason the contract allows: the provider's display texts, then the worker's own.
    public static let knownReasons: [String] = [
        "WRONG_OTP_PROVIDED", "VERIFICATION_EXPIRED", "ALREADY_VERIFIED", "VERIFICATION_FAILED",
        "MAXIMUM_LIMIT_REACHED", "INVALID_COUNTRY_CODE", "INVALID_VERIFICATION_ID", "REQUEST_ALREADY_EXISTS",
        "DUPLICATE_RESOURCE", "BAD_REQUEST", "INVALID_CUSTOMER_ID", "SERVER_ERROR",
        "INVALID_EVENT", "REQUEST_EXPIRED", "PROVIDER_UNAVAILABLE", "UNAUTHORIZED", "RATE_LIMITED", "SEND_BLOCKED",
    ]
}
