#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OTPEvents

/// docs/events.md, processing rule 3: an `otp.requested` older than the maximum age is not sent.
///
/// Pure, shared by the pipeline and by `replay`, so both judge a record the same way.
public struct ExpiryPolicy: Sendable {
    /// Requests older than this fail `REQUEST_EXPIRED`.
    public var maxRequestAge: Duration

    public init(maxRequestAge: Duration) {
        self.maxRequestAge = maxRequestAge
    }

    /// When the user asked: `requestedAt`, else the record's timestamp; nil when neither is known.
    public func askedAt(_ request: OTPRequested, timestampMilliseconds: Int64?) -> Date? {
        if let requestedAt = request.requestedAt { return requestedAt }
        if let milliseconds = timestampMilliseconds, milliseconds > 0 {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        return nil
    }

    /// The request's age at `now`, or nil when its time is unknown (then it is not expired).
    public func age(of request: OTPRequested, timestampMilliseconds: Int64?, now: Date) -> Duration? {
        guard let asked = askedAt(request, timestampMilliseconds: timestampMilliseconds) else { return nil }
        return .milliseconds(Int64((now.timeIntervalSince(asked) * 1000).rounded()))
    }

    /// Whether the request must not be sent at `now`.
    public func isExpired(_ request: OTPRequested, timestampMilliseconds: Int64?, now: Date) -> Bool {
        guard let age = age(of: request, timestampMilliseconds: timestampMilliseconds, now: now) else { return false }
        return age > maxRequestAge
    }
}
