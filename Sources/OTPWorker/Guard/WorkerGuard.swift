#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Logging
import MessageCentral
import OTPEvents
import Primitives

/// The fraud guard as the pipeline uses it: one ``GuardBook`` behind a lock, fed by the
/// ``GuardFeed`` and asked by each send before the provider call.
///
/// In `enforce` mode a refused send becomes its `otp.failed`; in `monitor` mode the decision is
/// counted and logged and the send goes ahead. Sends judged before the view has read the
/// group's recent sends wait for it (the view is rebuilt from Kafka when a worker starts).
final class WorkerGuard: Sendable {
    let policy: GuardPolicy
    private let book: Locked<GuardBook>
    private let metrics: GuardMetrics
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let loaded = Locked<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(policy: GuardPolicy, metrics: GuardMetrics, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
        self.now = now
        book = Locked(GuardBook(policy: policy, now: now().wholeMilliseconds))
    }

    /// The verdict for `request` (nil: send it), after the view has loaded. An admitted send is
    /// counted at once under its `requestId`; ``release(_:)`` takes it back if it is not made.
    func judge(_ request: OTPRequested) async -> GuardVerdict {
        await waitUntilLoaded()
        let destination = GuardDestination(countryCode: request.countryCode, mobileNumber: request.mobileNumber)
        let milliseconds = now().wholeMilliseconds
        let (verdict, transitions) = book.withLock { book in
            let transitions = book.expire(now: milliseconds)
            let verdict = book.decide(countryCode: request.countryCode, mobileNumber: request.mobileNumber,
                                      destination: destination, now: milliseconds)
            if verdict == .admit || policy.mode == .monitor {
                book.reserve(destination, request: SentFact.key(request.requestId), now: milliseconds)
            }
            return (verdict, transitions)
        }
        for transition in transitions { log(transition) }
        switch (verdict, policy.mode) {
        case (.admit, _):
            metrics.decision(nil, .allowed)
            return .admit
        case (.rateLimited(let rule, _, let message), .monitor), (.blocked(let rule, let message), .monitor):
            let rateLimited = if case .rateLimited = verdict { true } else { false }
            metrics.decision(rule, rateLimited ? .wouldRateLimit : .wouldBlock)
            logger.info("fraud guard (monitor mode) would refuse this send; sent anyway", metadata: [
                "rule": "\(rule.rawValue)", "would-be": "\(rateLimited ? "RATE_LIMITED" : "SEND_BLOCKED")",
                "detail": "\(message)", WorkerLogKey.requestID: "\(request.requestId)",
                WorkerLogKey.phone: "\(PhoneNumberMask.mask(countryCode: request.countryCode, nationalNumber: request.mobileNumber))",
            ])
            return .admit
        case (.rateLimited(let rule, _, _), _):
            metrics.decision(rule, .rateLimited)
            return verdict
        case (.blocked(let rule, _), _):
            metrics.decision(rule, .blocked)
            return verdict
        }
    }

    /// The provider made the send admitted by ``judge(_:)``: counted as its `otp.sent` would be,
    /// so the view skips this worker's own records.
    func confirm(_ sent: OTPSent) {
        let fact = SentFact(
            destination: GuardDestination(countryCode: sent.countryCode, mobileNumber: sent.mobileNumber),
            request: SentFact.key(sent.requestId), verification: SentFact.key(sent.verificationId),
            sentAt: sent.sentAt.wholeMilliseconds, timeoutSeconds: sent.timeoutSeconds)
        book.withLock { $0.confirm(fact) }
    }

    /// Takes back the send of `requestId` admitted by ``judge(_:)``: the provider did not make it.
    func release(_ requestId: String) {
        book.withLock { $0.release(request: SentFact.key(requestId)) }
    }

    /// The verdict for a send now, without counting it: what `replay` shows.
    func peek(countryCode: String, mobileNumber: String) -> GuardVerdict {
        let destination = GuardDestination(countryCode: countryCode, mobileNumber: mobileNumber)
        let milliseconds = now().wholeMilliseconds
        return book.withLock { $0.decide(countryCode: countryCode, mobileNumber: mobileNumber, destination: destination, now: milliseconds) }
    }

    // MARK: Fed by the view

    func noteSent(_ fact: SentFact, live: Bool) {
        book.withLock { $0.noteSent(fact) }
        if live { metrics.viewDelay(milliseconds: now().wholeMilliseconds - fact.sentAt) }
    }

    func noteVerified(_ verification: UInt64, at milliseconds: Int64) {
        book.withLock { $0.noteVerified(verification, at: milliseconds) }
    }

    /// Moves the book's time on; logs what became blocked or recovered and updates the gauges.
    func advance() {
        let milliseconds = now().wholeMilliseconds
        let (transitions, worstPrefixes, worstCountries, blocked, numbers) = book.withLock { book in
            let transitions = book.advance(now: milliseconds)
            return (transitions, book.worstPrefixes, book.worstCountries, book.blockedCounts, book.sizes.numbers)
        }
        for transition in transitions { log(transition) }
        metrics.standings(prefixes: worstPrefixes, countries: worstCountries, blocked: blocked, numbers: numbers)
    }

    /// The view has read the group's recent sends: judging may begin.
    func markLoaded() {
        let waiters = loaded.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isLoaded: Bool { loaded.withLock { $0.done } }

    func waitUntilLoaded() async {
        if isLoaded { return }
        await withCheckedContinuation { continuation in
            let ready = loaded.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func log(_ transition: GuardTransition) {
        let scope = transition.rule == .prefixConversion ? "prefix" : "country calling code"
        let resolved = transition.verified + transition.expired
        let metadata: Logger.Metadata = [
            "rule": "\(transition.rule.rawValue)", "key": "\(transition.key)",
            "verified": "\(transition.verified)", "resolved": "\(resolved)",
            "min-conversion": "\(policy.minConversion.map(\.description) ?? "off")",
            "mode": "\(policy.mode.rawValue)",
        ]
        if transition.blocked {
            logger.warning("fraud guard: \(scope) \(transition.key) blocked: \(transition.verified) of \(resolved) codes verified", metadata: metadata)
        } else {
            logger.notice("fraud guard: \(scope) \(transition.key) recovered", metadata: metadata)
        }
    }
}
