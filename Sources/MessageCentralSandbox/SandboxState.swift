#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers

/// Everything a running sandbox remembers, behind one lock.
///
/// The rules live in the plain stores; this type only serialises access and
/// supplies the clock, so no lock is ever held across an `await`.
final class SandboxState: Sendable {
    private struct Inner: Sendable {
        var tokens = TokenStore()
        var verifications: VerificationStore
        var faults = FaultPlan()
        var stats = SandboxStats()
        var password: String
        /// Added to the wall clock: lets tests jump past an expiry without waiting.
        var clockOffset: Duration = .zero
        /// Whether a 506 names the pending verification; starts as configured.
        var pendingNamesVerification: Bool
    }

    /// What the token endpoint makes of a pair of credentials.
    enum TokenOutcome: Sendable, Equatable {
        case issued(String)
        case unknownCustomer
        case wrongKey
    }

    let configuration: SandboxConfiguration
    private let inner: NIOLockedValueBox<Inner>

    init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        self.inner = NIOLockedValueBox(Inner(
            verifications: VerificationStore(rules: configuration.rules),
            password: configuration.password,
            pendingNamesVerification: configuration.pendingNamesVerification
        ))
    }

    /// The sandbox's idea of now: the wall clock plus any advance.
    func now() -> Date {
        let offset = inner.withLockedValue { $0.clockOffset }
        return Date().addingTimeInterval(offset.timeInterval)
    }

    // MARK: Emulated API

    /// Counts a call to `endpoint` (`nil`: an unknown path) and takes what it must suffer.
    func admit(_ endpoint: SandboxEndpoint?) -> (latency: Duration?, fault: SandboxFault?) {
        inner.withLockedValue { inner in
            inner.stats.total += 1
            switch endpoint {
            case .token: inner.stats.tokenFetches += 1
            case .send: inner.stats.sends += 1
            case .validate: inner.stats.validations += 1
            case .all, nil: break
            }
            guard let endpoint else { return (nil, nil) }
            return (inner.faults.latency, inner.faults.take(for: endpoint))
        }
    }

    /// Issues a token when `customerID` is the configured one and `key` is the Base64 of the current password.
    func issueToken(customerID: String, key: String) -> TokenOutcome {
        let now = now()
        return inner.withLockedValue { inner in
            guard customerID == configuration.customerID else { return .unknownCustomer }
            guard Self.decodeKey(key) == Data(inner.password.utf8) else { return .wrongKey }
            let token = inner.tokens.issue(subject: customerID, lifetime: configuration.tokenLifetime, now: now)
            return .issued(token)
        }
    }

    /// Judges an `authToken` header.
    func authenticate(_ token: String?) -> TokenStore.Verdict {
        let now = now()
        return inner.withLockedValue { $0.tokens.verdict(for: token, now: now) }
    }

    /// What a send came to, with what its answer needs besides the outcome.
    struct SendAnswer: Sendable {
        var outcome: VerificationStore.SendOutcome
        /// The sandbox's now when the rules ran: a pending code's remaining time counts from it.
        var now: Date
        /// Whether a 506 names the pending verification, as set when the rules ran.
        var pendingNamesVerification: Bool
    }

    /// Applies the send rules.
    func send(_ request: VerificationStore.SendRequest) -> SendAnswer {
        let now = now()
        return inner.withLockedValue { inner in
            SendAnswer(
                outcome: inner.verifications.send(request, now: now),
                now: now,
                pendingNamesVerification: inner.pendingNamesVerification
            )
        }
    }

    /// Applies the validation rules.
    func validate(id: Int64, code: String, customerID: String) -> VerificationStore.ValidateOutcome {
        let now = now()
        return inner.withLockedValue { $0.verifications.validate(id: id, code: code, customerID: customerID, now: now) }
    }

    // MARK: Control

    func lastCode(verificationID: Int64) -> String? {
        inner.withLockedValue { $0.verifications.code(forVerification: verificationID) }
    }

    func latestVerification(mobileNumber: String) -> VerificationStore.Verification? {
        inner.withLockedValue { $0.verifications.latest(forMobileNumber: mobileNumber) }
    }

    func inject(_ fault: SandboxFault, count: Int, endpoint: SandboxEndpoint) {
        inner.withLockedValue { $0.faults.inject(fault, count: count, endpoint: endpoint) }
    }

    func setLatency(_ latency: Duration?) {
        inner.withLockedValue { $0.faults.latency = latency.flatMap { $0 > .zero ? $0 : nil } }
    }

    func expireAllTokens() {
        inner.withLockedValue { $0.tokens.expireAll() }
    }

    func setPassword(_ password: String) {
        inner.withLockedValue { $0.password = password }
    }

    func setPendingNamesVerification(_ names: Bool) {
        inner.withLockedValue { $0.pendingNamesVerification = names }
    }

    var pendingNamesVerification: Bool {
        inner.withLockedValue { $0.pendingNamesVerification }
    }

    func advanceClock(by duration: Duration) {
        inner.withLockedValue { $0.clockOffset += duration }
    }

    var stats: SandboxStats {
        inner.withLockedValue { $0.stats }
    }

    /// Back to a freshly started sandbox, except that issued tokens stay valid:
    /// the live service signs its tokens, so a restart does not invalidate them.
    func reset() {
        inner.withLockedValue { inner in
            inner.verifications = VerificationStore(rules: configuration.rules)
            inner.faults = FaultPlan()
            inner.stats = SandboxStats()
            inner.password = configuration.password
            inner.clockOffset = .zero
            inner.pendingNamesVerification = configuration.pendingNamesVerification
        }
    }

    /// Decodes `key` as Java's basic Base64 decoder does: standard alphabet, padding optional.
    static func decodeKey(_ key: String) -> Data? {
        let padding = String(repeating: "=", count: (4 - key.utf8.count % 4) % 4)
        return Data(base64Encoded: key + padding)
    }
}

extension SandboxConfiguration {
    var rules: VerificationStore.Rules {
        .init(otpTimeout: otpTimeout, maxWrongAttempts: maxWrongAttempts, sendLimit: sendLimit, sendWindow: sendWindow)
    }
}
