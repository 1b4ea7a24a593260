import JSON
extension OTPSent {
    func write(to writer: inout JSONWriter) {
        writer.field("requestId", requestId)
        writer.field("verificationId", verificationId)
        writer.field("countryCode", countryCode)
        writer.field("mobileNumber", mobileNumber)
        writer.field("flowType", flowType.rawValue)
        writer.field("timeoutSeconds", timeoutSeconds)
        writer.field("transactionId", transactionId)
        writer.field("sentAt", RFC3339.format(sentAt))
        // Only when true, so that an ordinary send keeps the payload it always had.
        if resumed { writer.field("resumed", true) }
        writer.fieldIfPresent("metadata", metadata)
    }
}

extension OTPVerified {
    func write(to writer: inout JSONWriter) {
        writer.field("verificationId", verificationId)
        if let requestId { writer.field("requestId", requestId) }
        if let submissionId { writer.field("submissionId", submissionId) }
        writer.field("verifiedAt", RFC3339.format(verifiedAt))
        writer.field("transactionId", transactionId)
        writer.fieldIfPresent("metadata", metadata)
    }
}

extension OTPFailed {
    func write(to writer: inout JSONWriter) {
        writer.field("stage", stage.rawValue)
        writer.field("reason", reason)
        writer.field("providerCode", providerCode)
        writer.field("message", message)
        writer.field("retryable", retryable)
        writer.field("requestId", requestId)
        writer.field("verificationId", verificationId)
        writer.field("submissionId", submissionId)
        writer.field("failedAt", RFC3339.format(failedAt))
        writer.fieldIfPresent("metadata", metadata)
        if let retryAfterSeconds { writer.field("retryAfterSeconds", retryAfterSeconds) }
    }
}
