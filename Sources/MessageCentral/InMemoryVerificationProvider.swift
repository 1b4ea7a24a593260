import NIOConcurrencyHelpers

/// An in-memory twin of ``MessageCentralClient`` for tests of code that uses a
/// ``VerificationProvider``: it keeps verifications, generates codes, records
/// calls and fails on command, with the provider's codes and meanings.
///
/// Behaviour, as the provider's document describes it:
/// - `send` generates a numeric code of `otpLength` digits (default 4) and a
///   verification id; with `rejectsPendingDuplicates` a second send to a number
///   with an unexpired, unverified code meets 506 `REQUEST_ALREADY_EXISTS`: when
///   `pendingNamesVerification` is set, the answer names that verification and the
///   send returns it marked `resumed` (with the seconds it has left), as
///   ``MessageCentralClient`` does; otherwise the send fails with 506;
/// - `validate` answers 505 for an unknown id, 703 once verified, 705 after
///   `otpTimeout`, 700 after `maximumAttempts` wrong codes, 702 for a wrong code;
/// - a deadline already past fails with `PROVIDER_UNAVAILABLE` (code `nil`);
/// - scripted failures (``failNext(_:with:times:)``, ``failAlways(_:with:)``) come first.
///
/// `Sendable` through a lock around all mutable state.
public final class InMemoryVerificationProvider: VerificationProvider {
    /// The operations that can be scripted to fail.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        /// ``send(_:deadline:)``.
        case send
        /// ``validate(_:deadline:)``.
        case validate
        /// ``warmUp(deadline:)``.
        case warmUp
    }

    /// One recorded call, in arrival order. Codes stay ``Secret``.
    public enum Call: Sendable, Hashable {
        /// A send, with its request (which describes the number masked).
        case send(SendRequest)
        /// A validation, with its request (whose code stays a ``Secret``).
        case validate(ValidateRequest)
        /// A warm-up.
        case warmUp
    }

    struct Verification {
        var code: Secret<String>
        var phone: String
        var expiresAt: ContinuousClock.Instant
        var wrongAttempts = 0
        var verified = false
    }

    struct State {
        var verifications: [String: Verification] = [:]
        var nextID = 1000
        var calls: [Call] = []
        var scripted: [Operation: [ProviderError]] = [:]
        var persistent: [Operation: ProviderError] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let otpTimeout: Duration
    private let maximumAttempts: Int
    private let rejectsPendingDuplicates: Bool
    private let pendingNamesVerification: Bool
    private let makeCode: @Sendable (Int) -> String

    /// Creates an empty twin.
    ///
    /// - Parameters:
    ///   - otpTimeout: How long a code stays valid (reported as `timeoutSeconds`).
    ///   - maximumAttempts: Wrong codes allowed before 700 `VERIFICATION_FAILED`.
    ///   - rejectsPendingDuplicates: Whether a send to a number with a pending code meets 506.
    ///   - pendingNamesVerification: Whether that 506 names the pending verification, so the
    ///     send returns it as ``SendResult/resumed``; when false it fails with 506, as a
    ///     provider that does not name it would.
    ///   - makeCode: Makes a code of the given length; random digits by default.
    public init(
        otpTimeout: Duration = .seconds(60),
        maximumAttempts: Int = 3,
        rejectsPendingDuplicates: Bool = false,
        pendingNamesVerification: Bool = true,
        makeCode: @escaping @Sendable (Int) -> String = { length in
            String((0..<length).map { _ in Character(String(Int.random(in: 0...9))) })
        }
    ) {
        self.otpTimeout = otpTimeout
        self.maximumAttempts = maximumAttempts
        self.rejectsPendingDuplicates = rejectsPendingDuplicates
        self.pendingNamesVerification = pendingNamesVerification
        self.makeCode = makeCode
    }

    /// Makes the next `times` calls of `operation` fail with `error`, before any other behaviour.
    ///
    /// - Parameters:
    ///   - operation: Which calls fail.
    ///   - error: What they throw.
    ///   - times: How many calls, at least 1.
    public func failNext(_ operation: Operation, with error: ProviderError, times: Int = 1) {
        self.state.withLockedValue { $0.scripted[operation, default: []] += Array(repeating: error, count: times) }
    }

    /// Makes every call of `operation` fail with `error` until called again with `nil`.
    ///
    /// - Parameters:
    ///   - operation: Which calls fail.
    ///   - error: What they throw; `nil` restores normal behaviour.
    public func failAlways(_ operation: Operation, with error: ProviderError?) {
        self.state.withLockedValue { $0.persistent[operation] = error }
    }

    /// The code sent for a verification, as the sandbox's `/sandbox/otp` would tell.
    ///
    /// - Parameter verificationId: An id returned by `send`.
    /// - Returns: The code, still wrapped; `nil` for an unknown id.
    public func code(for verificationId: String) -> Secret<String>? {
        self.state.withLockedValue { $0.verifications[verificationId]?.code }
    }

    /// Every call so far, in order.
    public var calls: [Call] {
        self.state.withLockedValue { $0.calls }
    }

    /// Makes a verification's code expire now, so that tests need not wait.
    ///
    /// - Parameter verificationId: An id returned by `send`.
    public func expire(verificationId: String) {
        self.state.withLockedValue { $0.verifications[verificationId]?.expiresAt = .now }
    }

    /// Forgets every verification, call and scripted failure.
    public func reset() {
        self.state.withLockedValue { $0 = State() }
    }

    /// Sends a code in memory. See the type's documentation for the failures.
    public func send(_ request: SendRequest, deadline: ContinuousClock.Instant?) async throws(ProviderError) -> SendResult {
        let now = ContinuousClock.now
        let length = request.otpLength ?? 4
        let code = Secret(self.makeCode(length))
        let result: Result<SendResult, ProviderError> = self.state.withLockedValue { state in
            state.calls.append(.send(request))
            if let error = Self.scriptedFailure(.send, deadline: deadline, now: now, state: &state) {
                return .failure(error)
            }
            guard !request.countryCode.isEmpty, request.countryCode.allSatisfy(\.isASCIIDigit) else {
                return .failure(Self.error(.invalidCountryCode, 511))
            }
            guard !request.mobileNumber.isEmpty, request.mobileNumber.allSatisfy(\.isASCIIDigit),
                (4...8).contains(length)
            else {
                return .failure(Self.error(.badRequest, 400))
            }
            let phone = request.countryCode + request.mobileNumber
            if self.rejectsPendingDuplicates,
                let pending = state.verifications.first(where: { _, verification in
                    verification.phone == phone && !verification.verified && now < verification.expiresAt
                })
            {
                guard self.pendingNamesVerification else { return .failure(Self.error(.requestAlreadyExists, 506)) }
                return .success(
                    SendResult(
                        verificationId: pending.key,
                        timeoutSeconds: Self.wholeSecondsRoundedUp(pending.value.expiresAt - now),
                        transactionId: "txn-\(pending.key)",
                        countryCode: request.countryCode,
                        mobileNumber: request.mobileNumber,
                        resumed: true
                    )
                )
            }
            state.nextID += 1
            let id = String(state.nextID)
            state.verifications[id] = Verification(code: code, phone: phone, expiresAt: now + self.otpTimeout)
            return .success(
                SendResult(
                    verificationId: id,
                    timeoutSeconds: Int(self.otpTimeout.components.seconds),
                    transactionId: "txn-\(id)",
                    countryCode: request.countryCode,
                    mobileNumber: request.mobileNumber
                )
            )
        }
        return try result.get()
    }

    /// Checks a code in memory. See the type's documentation for the failures.
    public func validate(
        _ request: ValidateRequest,
        deadline: ContinuousClock.Instant?
    ) async throws(ProviderError) -> ValidateResult {
        let now = ContinuousClock.now
        let result: Result<ValidateResult, ProviderError> = self.state.withLockedValue { state in
            state.calls.append(.validate(request))
            if let error = Self.scriptedFailure(.validate, deadline: deadline, now: now, state: &state) {
                return .failure(error)
            }
            guard var verification = state.verifications[request.verificationId] else {
                return .failure(Self.error(.invalidVerificationID, 505))
            }
            defer { state.verifications[request.verificationId] = verification }
            if verification.verified { return .failure(Self.error(.alreadyVerified, 703)) }
            if now >= verification.expiresAt { return .failure(Self.error(.verificationExpired, 705)) }
            if verification.wrongAttempts >= self.maximumAttempts {
                return .failure(Self.error(.verificationFailed, 700))
            }
            guard verification.code == request.code else {
                verification.wrongAttempts += 1
                return .failure(Self.error(.wrongOTPProvided, 702))
            }
            verification.verified = true
            return .success(ValidateResult(verificationId: request.verificationId, transactionId: "txn-\(request.verificationId)"))
        }
        return try result.get()
    }

    /// Succeeds unless scripted to fail or the deadline has passed.
    public func warmUp(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        let now = ContinuousClock.now
        let error = self.state.withLockedValue { state in
            state.calls.append(.warmUp)
            return Self.scriptedFailure(.warmUp, deadline: deadline, now: now, state: &state)
        }
        if let error { throw error }
    }

    /// Like ``warmUp(deadline:)``: scripted `.warmUp` failures apply to probes too.
    public func probe(deadline: ContinuousClock.Instant?) async throws(ProviderError) {
        try await self.warmUp(deadline: deadline)
    }

    private static func scriptedFailure(
        _ operation: Operation,
        deadline: ContinuousClock.Instant?,
        now: ContinuousClock.Instant,
        state: inout State
    ) -> ProviderError? {
        if let deadline, now >= deadline {
            return .unavailable(lastProviderCode: nil, message: "deadline passed")
        }
        if var queue = state.scripted[operation], !queue.isEmpty {
            let error = queue.removeFirst()
            state.scripted[operation] = queue
            return error
        }
        return state.persistent[operation]
    }

    /// Whole seconds left, rounded up so that a code with a moment left is not reported as `0`.
    private static func wholeSecondsRoundedUp(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(attoseconds > 0 ? seconds + 1 : seconds)
    }

    private static func error(_ reason: ProviderFailureReason, _ code: Int) -> ProviderError {
        ProviderError(reason: reason, providerCode: code, message: "provider answered \(code) \(reason.rawValue)")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
