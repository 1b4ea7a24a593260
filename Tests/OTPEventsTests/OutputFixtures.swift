import Foundation
import OTPEvents

/// Fixed outputs whose exact JSON the tests know.
enum OutputFixtures {
    /// 2026-11-26T20:01:02.345Z
    static let time = Date(timeIntervalSince1970: 1_795_723_262.345)

    static let sent = OTPSent(
        requestId: "req-1", verificationId: "2893471", countryCode: "91", mobileNumber: "9876543210",
        flowType: .whatsapp, timeoutSeconds: 60, transactionId: nil, sentAt: time, metadata: ["tenant": "acme", "a": "1"]
    )
    /// A verification that was already pending for the number, named by the provider's 506.
    static let sentResumed = OTPSent(
        requestId: "req-2", verificationId: "2893471", countryCode: "91", mobileNumber: "9876543210",
        flowType: .sms, timeoutSeconds: 42, transactionId: "txn-1", sentAt: time, metadata: nil, resumed: true
    )
    static let verified = OTPVerified(
        verificationId: "2893471", requestId: nil, submissionId: "sub-1", verifiedAt: time, transactionId: "txn-9", metadata: nil
    )
    static let failed = OTPFailed(
        stage: .verify, reason: "WRONG_OTP_PROVIDED", providerCode: 702, message: "the provider says \"wrong\"\n",
        retryable: false, requestId: nil, verificationId: "2893471", submissionId: nil, failedAt: time, metadata: nil
    )
    /// The fraud guard's rate limit refused a send; the same as `schemas/examples/valid/otp.failed.rate-limited.json`.
    static let rateLimited = OTPFailed(
        stage: .send, reason: "RATE_LIMITED", providerCode: nil, message: "5 sends to this number within 10m already (--guard-number-limit); the next is admitted in 42s",
        retryable: true, requestId: "req-0003", verificationId: nil, submissionId: nil, failedAt: time, metadata: ["tenant": "acme"],
        retryAfterSeconds: 42
    )
    /// The fraud guard's allow-list refused a send; the same as `schemas/examples/valid/otp.failed.send-blocked.json`.
    static let sendBlocked = OTPFailed(
        stage: .send, reason: "SEND_BLOCKED", providerCode: nil, message: "country calling code +92 is not on the allow-list (--guard-allow-countries)",
        retryable: false, requestId: "req-0004", verificationId: nil, submissionId: nil, failedAt: time, metadata: nil
    )
    static let decodeFailure = OTPFailed(
        decodingError: EventDecodingError(
            field: "mobileNumber", rule: "pattern", message: "mobileNumber: must be 4 to 15 ASCII digits",
            partial: PartialIdentifiers(requestId: "req-1", metadata: ["k": "v"])
        ),
        failedAt: time
    )

    static let all: [OTPOutput] = [
        .sent(sent), .sent(sentResumed), .verified(verified), .failed(failed), .failed(decodeFailure),
        .failed(rateLimited), .failed(sendBlocked),
    ]
}
