/// What to send: one OTP to one phone number.
///
/// Invariant: `countryCode` holds digits only, without `+`; `mobileNumber` is the
/// national number without the country prefix. The client does not validate
/// them (the event layer does); the provider answers `INVALID_COUNTRY_CODE` or
/// `BAD_REQUEST` otherwise.
///
/// The description masks the phone number.
public struct SendRequest: Sendable, Hashable {
    /// Country calling code, digits only (e.g. `91`).
    public var countryCode: String
    /// National number, digits only.
    public var mobileNumber: String
    /// Delivery channel.
    public var flowType: FlowType
    /// Code length, 4...8; `nil` lets the provider choose (its default is 4).
    public var otpLength: Int?

    /// Creates a send request.
    ///
    /// - Parameters:
    ///   - countryCode: Country calling code, digits only, no `+`.
    ///   - mobileNumber: National number, digits only.
    ///   - flowType: Delivery channel; SMS by default.
    ///   - otpLength: Code length 4...8, or `nil` for the provider's default.
    public init(countryCode: String, mobileNumber: String, flowType: FlowType = .sms, otpLength: Int? = nil) {
        self.countryCode = countryCode
        self.mobileNumber = mobileNumber
        self.flowType = flowType
        self.otpLength = otpLength
    }

    /// The phone number masked for logs, e.g. `+91******9999`.
    public var maskedPhoneNumber: String {
        PhoneNumberMask.mask(countryCode: self.countryCode, nationalNumber: self.mobileNumber)
    }
}

extension SendRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description with the phone number masked.
    public var description: String {
        let length = self.otpLength.map(String.init) ?? "default"
        return "SendRequest(phone: \(self.maskedPhoneNumber), flowType: \(self.flowType.rawValue), otpLength: \(length))"
    }

    /// Same as ``description``: the phone number stays masked.
    public var debugDescription: String { self.description }

    /// Reflection shows the masked number only, so `dump` cannot leak it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "phone": self.maskedPhoneNumber,
                "flowType": self.flowType,
                "otpLength": self.otpLength as Any,
            ],
            displayStyle: .struct
        )
    }
}
