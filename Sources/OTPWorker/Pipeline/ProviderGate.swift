import Logging
import MessageCentral
import Primitives

/// Holds provider calls back while the provider is out or refuses our credentials, and lets
/// them through again once a probe gets an answer.
///
/// docs/events.md, processing rule 7: an outage or a persistent auth failure must pause
/// consumption rather than fail the backlog. Calls already in flight end as they end (retried
/// by the client within their deadline); calls not yet started wait here. While held, the
/// worker pauses its partitions (it stays in its group) and reports itself not ready; a probe
/// loop with exponential backoff contacts the provider and releases the gate on the first answer.
///
/// The gate starts held: no record reaches the provider before a token could be had.
final class ProviderGate: Sendable {
    /// Why calls are held.
    enum HoldReason: String, Sendable {
        case starting = "waiting for a first provider token"
        case unavailable = "provider unavailable"
        case unauthorized = "provider refused the credentials"
    }

    /// Told when the gate holds or releases, to pause or resume consumption and readiness.
    struct Observer: Sendable {
        var held: @Sendable (HoldReason) -> Void
        var released: @Sendable () -> Void
    }

    private struct State {
        var hold: HoldReason? = .starting
        var version: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var probing = false
        var probeTask: Task<Void, Never>?
        var stopped = false
    }

    private let state = Locked(State())
    private let provider: any VerificationProvider
    private let observer: Observer
    private let probeBackoff: ClosedRange<Duration>
    private let probeTimeout: Duration
    private let logger: Logger

    init(
        provider: any VerificationProvider,
        probeBackoff: ClosedRange<Duration> = .milliseconds(250)...(.seconds(15)),
        probeTimeout: Duration = .seconds(5),
        logger: Logger,
        observer: Observer
    ) {
        self.provider = provider
        self.probeBackoff = probeBackoff
        self.probeTimeout = probeTimeout
        self.logger = logger
        self.observer = observer
    }

    /// Why calls are held now, or nil when they flow.
    var holdReason: HoldReason? { state.withLock { $0.hold } }

    /// Starts probing for the first token (the gate starts held).
    func start() {
        observer.held(.starting)
        startProbing()
    }

    /// Ends probing and wakes every waiter (they find the worker stopping and abandon).
    func stop() {
        let (waiters, probe) = state.withLock { state in
            state.stopped = true
            return (wakeAll(&state), state.probeTask)
        }
        probe?.cancel()
        waiters.forEach { $0.resume() }
    }

    /// Waits while calls are held. Returns when they flow again or when `wake()` is called;
    /// the caller re-checks whether it still wants to call.
    func waitWhileHeld() async {
        await withCheckedContinuation { continuation in
            let parked = state.withLock { state in
                guard state.hold != nil, !state.stopped else { return false }
                state.waiters.append(continuation)
                return true
            }
            if !parked { continuation.resume() }
        }
    }

    /// Wakes every waiter without releasing, so they can notice a revocation.
    func wake() {
        let waiters = state.withLock { wakeAll(&$0) }
        waiters.forEach { $0.resume() }
    }

    /// A call's final failure: outages and refused credentials hold the gate.
    func report(_ error: ProviderError) {
        let reason: HoldReason
        switch error.reason {
        case .providerUnavailable: reason = .unavailable
        case .unauthorized: reason = .unauthorized
        default: return
        }
        let newlyHeld = state.withLock { state in
            guard state.hold == nil || state.hold == .starting, !state.stopped else { return false }
            state.hold = reason
            state.version += 1
            return true
        }
        guard newlyHeld else { return }
        logger.warning("holding provider calls: \(reason.rawValue); consumption paused until the provider answers")
        observer.held(reason)
        startProbing()
    }

    /// A call got an answer: the provider is there (releases a hold that a late probe has not).
    func reportAnswered() {
        guard state.withLock({ $0.hold != nil && $0.hold != .starting }) else { return }
        release()
    }

    private func release() {
        let waiters: [CheckedContinuation<Void, Never>]? = state.withLock { state in
            guard state.hold != nil else { return nil }
            state.hold = nil
            state.version += 1
            return wakeAll(&state)
        }
        guard let waiters else { return }
        logger.notice("provider answers again; resuming consumption")
        observer.released()
        waiters.forEach { $0.resume() }
    }

    private func wakeAll(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        defer { state.waiters.removeAll() }
        return state.waiters
    }

    private func startProbing() {
        state.withLock { state in
            guard !state.probing, !state.stopped else { return }
            state.probing = true
            state.probeTask = Task { await self.probeLoop() }
        }
    }

    private func probeLoop() async {
        var delay = probeBackoff.lowerBound
        var first = true
        while true {
            let done = state.withLock { state in
                if state.hold == nil || state.stopped { state.probing = false; return true }
                return false
            }
            if done { return }
            if !first {
                // Backoff between probes; cancelled by stop().
                do { try await Task.sleep(for: delay) } catch { state.withLock { $0.probing = false }; return }
                delay = min(delay * 2, probeBackoff.upperBound)
            }
            first = false
            do {
                try await provider.probe(deadline: .now + probeTimeout)
                release()
            } catch {
                logger.info("provider probe failed: \(error.reason.rawValue); next in \(delay)")
                if error.reason == .unauthorized, state.withLock({ $0.hold == .starting }) {
                    state.withLock { $0.hold = .unauthorized }
                    observer.held(.unauthorized)
                }
            }
        }
    }
}
