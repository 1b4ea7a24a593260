/// A code was sent: what the worker needs to emit `otp.sent`.
///
/// Either this send delivered a new code, or (``resumed``) the provider refused it with
/// 506 because a code for this number is still pending, and named that verification: the
/// user already holds its code. The description masks the phone number.
public struct SendResult: Sendable, Hashable {
    /// The provider's id of this verification, always as a string (the provider
    /// sends a string here but takes a number when validating).
    public var verificationId: String
    /// How long the code stays valid, parsed from the provider's `timeout`
    /// (a string such as `"60"`); `nil` when absent or unreadable.
    public var timeoutSeconds: Int?
    /// The provider's transaction id, often `null`.
    public var transactionId: String?
    /// Country calling code of the number the code went to.
    public var countryCode: String
    /// The national number the code went to (the one requested, not the provider's echo).
    public var mobileNumber: String
    /// Whether this is a verification that was already pending rather than a new one: the
    /// provider answered 506 `REQUEST_ALREADY_EXISTS` and named it. No new code went out;
    /// ``timeoutSeconds`` is then what remains of the pending code's validity, if the
    /// provider said.
    public var resumed: Bool

    /// Creates a send result.
    ///
    /// - Parameters:
    ///   - verificationId: The provider's verification id.
    ///   - timeoutSeconds: Validity of the code in seconds, if known.
    ///   - transactionId: The provider's transaction id, if any.
    ///   - countryCode: Country calling code, digits only.
    ///   - mobileNumber: National number, digits only.
    ///   - resumed: Whether the verification was already pending (the provider's 506).
    public init(
        verificationId: String,
        timeoutSeconds: Int?,
        transactionId: String?,
        countryCode: String,
        mobileNumber: String,
        resumed: Bool = false
    ) {
        self.verificationId = verificationId
        self.timeoutSeconds = timeoutSeconds
        self.transactionId = transactionId
        self.countryCode = countryCode
        self.mobileNumber = mobileNumber
        self.resumed = resumed
    }

    /// The phone number masked for logs, e.g. `+91******9999`.
    public var maskedPhoneNumber: String {
        PhoneNumberMask.mask(countryCode: self.countryCode, nationalNumber: self.mobileNumber)
    }
}

extension SendResult: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description with the phone number masked.
    public var description: String {
        let timeout = self.timeoutSeconds.map { "\($0)s" } ?? "nil"
        return "SendResult(verificationId: \(self.verificationId), timeout: \(timeout), "
            + "transactionId: \(self.transactionId ?? "nil"), phone: \(self.maskedPhoneNumber)"
            + (self.resumed ? ", resumed)" : ")")
    }

    /// Same as ``description``: the phone number stays masked.
    public var debugDescription: String { self.description }

    /// Reflection shows the masked number only, so `dump` cannot leak it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "verificationId": self.verificationId,
                "timeoutSeconds": self.timeoutSeconds as Any,
                "transactionId": self.transactionId as Any,
                "phone": self.maskedPhoneNumber,
                "resumed": self.resumed,
            ],
            displayStyle: .struct
        )
    }
}
