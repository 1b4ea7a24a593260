import JSON
/// One output event of the worker.
public enum OTPOutput: Sendable, Hashable {
    /// A code was sent.
    case sent(OTPSent)
    /// A code was verified.
    case verified(OTPVerified)
    /// The input failed.
    case failed(OTPFailed)

    /// The CloudEvents `ce_type`, which is also the output topic's default name.
    public var eventType: String {
        switch self {
        case .sent: "otp.sent"
        case .verified: "otp.verified"
        case .failed: "otp.failed"
        }
    }

    /// The JSON payload (UTF-8): camelCase keys in the contract's order, RFC 3339 UTC
    /// timestamps with milliseconds, explicit `null` where the contract says "or null",
    /// `metadata` only when present (its keys sorted, so equal outputs have equal bytes).
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        switch self {
        case .sent(let sent): sent.write(to: &writer)
        case .verified(let verified): verified.write(to: &writer)
        case .failed(let failed): failed.write(to: &writer)
        }
        return writer.finish()
    }
}
