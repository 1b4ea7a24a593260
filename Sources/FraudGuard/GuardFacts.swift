/// An `otp.sent` as the guard's view keeps it: keys and times, no phone number.
public struct SentFact: Sendable, Hashable {
    /// The keys of its destination.
    public var destination: GuardDestination
    /// The `requestId`, hashed: matches a send this worker reserved.
    public var request: UInt64
    /// The `verificationId`, hashed: matches its `otp.verified`.
    public var verification: UInt64
    /// Milliseconds since 1970: `sentAt`.
    public var sentAt: Int64
    /// The OTP's validity; 0 when unknown (a resumed verification), then it is not judged.
    public var timeoutSeconds: Int

    public init(destination: GuardDestination, request: UInt64, verification: UInt64, sentAt: Int64, timeoutSeconds: Int) {
        self.destination = destination
        self.request = request
        self.verification = verification
        self.sentAt = sentAt
        self.timeoutSeconds = timeoutSeconds
    }

    /// A text's hash under this process's random key, for `request` and `verification`.
    public static func key(_ text: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(text)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}

/// A prefix or a country that the conversion rule started or stopped blocking.
public struct GuardTransition: Sendable, Hashable {
    /// `prefixConversion` or `countryConversion`.
    public var rule: GuardRule
    public var key: PackedPrefix
    /// True when it became blocked, false when it recovered.
    public var blocked: Bool
    public var verified: Int
    public var expired: Int
}

/// The verified share of one prefix or country, as the worst-of gauges show it.
public struct ConversionStanding: Sendable, Hashable {
    public var key: PackedPrefix
    public var verified: Int
    public var expired: Int
    public var blocked: Bool

    /// Verified of resolved, from 0 to 1.
    public var share: Double { Double(verified) / Double(max(1, verified + expired)) }
}
