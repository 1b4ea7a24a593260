import JSON
extension OTPRequested {
    /// Reads an `otp.requested` payload, applying defaults.
    init(payload: [String: JSONValue]) throws(EventDecodingError) {
        let reader = PayloadReader(payload: payload)
        let requestId = try reader.string("requestId", required: true, length: 1...128)!
        let countryCode = try reader.digits("countryCode", required: true, count: 1...4)!
        let mobileNumber = try reader.digits("mobileNumber", required: true, count: 4...15)!
        let flowType = try reader.enumeration("flowType", as: OTPFlowType.self) ?? .sms
        let otpLength = try reader.integer("otpLength", in: 4...8) ?? 4
        let requestedAt = try reader.timestamp("requestedAt")
        let metadata = try reader.stringMap("metadata")
        self.init(
            requestId: requestId,
            countryCode: countryCode,
            mobileNumber: mobileNumber,
            flowType: flowType,
            otpLength: otpLength,
            requestedAt: requestedAt,
            metadata: metadata
        )
    }
}

extension OTPSubmitted {
    /// Reads an `otp.submitted` payload.
    init(payload: [String: JSONValue]) throws(EventDecodingError) {
        let reader = PayloadReader(payload: payload)
        let verificationId = try reader.string("verificationId", required: true)!
        let code = try reader.digits("code", required: true, count: 4...8)!
        let requestId = try reader.string("requestId", required: false)
        let submissionId = try reader.string("submissionId", required: false)
        let metadata = try reader.stringMap("metadata")
        self.init(
            verificationId: verificationId,
            code: code,
            requestId: requestId,
            submissionId: submissionId,
            metadata: metadata
        )
    }
}
