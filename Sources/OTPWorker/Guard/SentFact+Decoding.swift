import FraudGuard
import JSON
import OTPEvents

extension SentFact {
    /// The fact of an `otp.sent` value; nil when it is not one (the view skips it). The phone
    /// number is hashed and dropped here.
    init?(otpSentValue value: [UInt8]?) {
        guard let value, let object = JSONValue(parsing: value)?.objectValue,
            let requestId = object["requestId"]?.stringValue, let verificationId = object["verificationId"]?.stringValue,
            let countryCode = object["countryCode"]?.stringValue, let mobileNumber = object["mobileNumber"]?.stringValue,
            let sentAt = object["sentAt"]?.stringValue.flatMap(RFC3339.parse)
        else { return nil }
        self.init(
            destination: GuardDestination(countryCode: countryCode, mobileNumber: mobileNumber),
            request: SentFact.key(requestId), verification: SentFact.key(verificationId),
            sentAt: sentAt.wholeMilliseconds, timeoutSeconds: object["timeoutSeconds"]?.integralValue ?? 0)
    }

    /// The hashed `verificationId` and `verifiedAt` (milliseconds) of an `otp.verified` value.
    static func verified(otpVerifiedValue value: [UInt8]?) -> (UInt64, Int64?)? {
        guard let value, let object = JSONValue(parsing: value)?.objectValue,
            let verificationId = object["verificationId"]?.stringValue
        else { return nil }
        return (key(verificationId), object["verifiedAt"]?.stringValue.flatMap(RFC3339.parse)?.wholeMilliseconds)
    }
}
