#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// Verifications and the per-number send history: the provider's business
/// rules as plain values, with the clock passed in so expiry is testable
/// without waiting.
struct VerificationStore: Sendable {
    /// The limits the rules enforce.
    struct Rules: Sendable {
        var otpTimeout: Duration
        var maxWrongAttempts: Int
        var sendLimit: Int
        var sendWindow: Duration
    }

    /// A send that passed parameter checks.
    struct SendRequest: Sendable {
        var customerID: String
        var countryCode: String
        var mobileNumber: String
        var otpLength: Int
    }

    /// Where a verification stands.
    enum State: Sendable, Equatable {
        case pending(wrongAttempts: Int)
        case completed
        /// Too many wrong codes; no code is accepted any more.
        case failed
    }

    /// One code sent to one number.
    struct Verification: Sendable, Equatable {
        let id: Int64
        let customerID: String
        let countryCode: String
        let mobileNumber: String
        let code: String
        let transactionID: String
        let sentAt: Date
        let expiresAt: Date
        var state: State
    }

    /// What a send came to.
    enum SendOutcome: Sendable, Equatable {
        case sent(Verification)
        /// 800: the number had `sendLimit` sends within `sendWindow`.
        case limitReached
        /// 506: the number has a verification that is still pending.
        case alreadyPending(Verification)
    }

    /// What a validation came to.
    enum ValidateOutcome: Sendable, Equatable {
        /// 200: the code matched; the verification is now completed.
        case verified(Verification)
        /// 702: the code did not match; attempts remain or the limit was just reached.
        case wrongCode(Verification)
        /// 700: the verification failed earlier through too many wrong codes.
        case failed(Verification)
        /// 705: the code's validity ended before a correct code arrived.
        case expired(Verification)
        /// 703: the verification was already completed; a replay is not a success.
        case alreadyVerified(Verification)
        /// 505: no verification with that id for that customer.
        case unknown
    }

    private struct NumberKey: Hashable, Sendable {
        let countryCode: String
        let mobileNumber: String
    }

    let rules: Rules
    private var verifications: [Int64: Verification] = [:]
    private var sendTimes: [NumberKey: [Date]] = [:]
    private var latestByNumber: [String: Int64] = [:]
    /// The last verification sent to each number: the only one that can still be pending, since
    /// a send is refused while one is (and the clock only moves forward; a reset empties the store).
    private var lastSentByNumber: [NumberKey: Int64] = [:]
    private var nextID: Int64

    /// Creates an empty store whose first verification id is `firstID`.
    ///
    /// The server starts ids at a random point so that ids cached from an
    /// earlier run are unlikely to name a verification in this one.
    init(rules: Rules, firstID: Int64 = Int64.random(in: 100_000...899_999)) {
        self.rules = rules
        self.nextID = firstID
    }

    /// Sends a new code unless the number is rate limited or has one pending.
    ///
    /// The rate limit is checked first: a number that is over its limit gets
    /// 800 whether or not a verification is pending. Refused sends do not count.
    mutating func send(
        _ request: SendRequest,
        now: Date,
        using generator: inout some RandomNumberGenerator
    ) -> SendOutcome {
        let key = NumberKey(countryCode: request.countryCode, mobileNumber: request.mobileNumber)
        let windowStart = now.addingTimeInterval(-rules.sendWindow.timeInterval)
        let recent = (sendTimes[key] ?? []).filter { $0 > windowStart }
        sendTimes[key] = recent
        if recent.count >= rules.sendLimit {
            return .limitReached
        }
        if let pending = pendingVerification(for: key, now: now) {
            return .alreadyPending(pending)
        }
        var code = ""
        for _ in 0..<request.otpLength {
            code.append(Character(String(Int.random(in: 0...9, using: &generator))))
        }
        let verification = Verification(
            id: nextID,
            customerID: request.customerID,
            countryCode: request.countryCode,
            mobileNumber: request.mobileNumber,
            code: code,
            transactionID: UUID().uuidString.lowercased(),
            sentAt: now,
            expiresAt: now.addingTimeInterval(rules.otpTimeout.timeInterval),
            state: .pending(wrongAttempts: 0)
        )
        nextID += 1
        verifications[verification.id] = verification
        sendTimes[key, default: []].append(now)
        latestByNumber[request.mobileNumber] = verification.id
        lastSentByNumber[key] = verification.id
        return .sent(verification)
    }

    /// Sends with the system's random generator.
    mutating func send(_ request: SendRequest, now: Date) -> SendOutcome {
        var generator = SystemRandom()
        return send(request, now: now, using: &generator)
    }

    /// Checks `code` against verification `id` and moves it along.
    ///
    /// Terminal states win over expiry: a completed verification answers 703
    /// and a failed one 700 even after its window has passed.
    mutating func validate(id: Int64, code: String, customerID: String, now: Date) -> ValidateOutcome {
        guard var verification = verifications[id], verification.customerID == customerID else {
            return .unknown
        }
        switch verification.state {
        case .completed:
            return .alreadyVerified(verification)
        case .failed:
            return .failed(verification)
        case .pending(let wrongAttempts):
            if now >= verification.expiresAt {
                return .expired(verification)
            }
            if code == verification.code {
                verification.state = .completed
                verifications[id] = verification
                return .verified(verification)
            }
            let attempts = wrongAttempts + 1
            verification.state = attempts >= rules.maxWrongAttempts ? .failed : .pending(wrongAttempts: attempts)
            verifications[id] = verification
            return .wrongCode(verification)
        }
    }

    /// The code sent for verification `id`, if there is one.
    func code(forVerification id: Int64) -> String? {
        verifications[id]?.code
    }

    /// The most recent verification sent to `mobileNumber`, in any country.
    func latest(forMobileNumber mobileNumber: String) -> Verification? {
        latestByNumber[mobileNumber].flatMap { verifications[$0] }
    }

    private func pendingVerification(for key: NumberKey, now: Date) -> Verification? {
        // A lookup, not a scan of every verification: under otp-bench the sandbox holds tens of
        // thousands of numbers, and a scan on every send would grow with all of them.
        guard let id = lastSentByNumber[key], let verification = verifications[id],
            verification.state.isPending, now < verification.expiresAt
        else { return nil }
        return verification
    }
}

extension VerificationStore.Verification {
    /// How long the code stays valid after `now`; zero once it has expired.
    func remaining(at now: Date) -> Duration {
        .seconds(max(0, expiresAt.timeIntervalSince(now)))
    }
}

extension VerificationStore.State {
    var isPending: Bool {
        if case .pending = self { return true }
        return false
    }
}
