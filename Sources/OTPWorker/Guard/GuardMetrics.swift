import FraudGuard
import Metrics
import Primitives

/// The fraud guard's metrics (names in ``WorkerMetrics``).
final class GuardMetrics: Sendable {
    /// What a decision did, the `action` label of `otp_guard_decisions_total`.
    enum Action: String {
        case allowed, blocked
        case rateLimited = "rate_limited"
        /// Monitor mode: what enforce would have done; the send went ahead.
        case wouldBlock = "would_block"
        case wouldRateLimit = "would_rate_limit"
    }

    private let factory: any MetricsFactory
    private struct DecisionKey: Hashable {
        var rule: GuardRule?
        var action: Action
    }

    private let decisions = Locked<[DecisionKey: Counter]>([:])
    private let ratios = Locked<[String: Gauge]>([:])
    private let blockedPrefixes: Gauge
    private let blockedCountries: Gauge
    private let viewDelay: Timer
    private let trackedNumbers: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        blockedPrefixes = Gauge(label: WorkerMetrics.guardBlocked, dimensions: [("scope", "prefix")], factory: factory)
        blockedCountries = Gauge(label: WorkerMetrics.guardBlocked, dimensions: [("scope", "country")], factory: factory)
        viewDelay = Timer(label: WorkerMetrics.guardViewDelay, factory: factory)
        trackedNumbers = Gauge(label: WorkerMetrics.guardTrackedNumbers, factory: factory)
    }

    func decision(_ rule: GuardRule?, _ action: Action) {
        let key = DecisionKey(rule: rule, action: action)
        let counter = decisions.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: WorkerMetrics.guardDecisions, dimensions: [("rule", rule?.rawValue ?? "none"), ("action", action.rawValue)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// How long an `otp.sent` took from its `sentAt` to this worker's view.
    func viewDelay(milliseconds: Int64) { viewDelay.recordNanoseconds(max(0, milliseconds) * 1_000_000) }

    /// The worst verified shares and the blocked counts, as the book last judged them. Keys that
    /// left the worst five lose their series, so the label set stays at ten at most.
    func standings(prefixes: [ConversionStanding], countries: [ConversionStanding], blocked: (prefixes: Int, countries: Int), numbers: Int) {
        blockedPrefixes.record(blocked.prefixes)
        blockedCountries.record(blocked.countries)
        trackedNumbers.record(numbers)
        let current = prefixes.map { ("prefix", $0) } + countries.map { ("country", $0) }
        ratios.withLock { gauges in
            var keep = Set<String>()
            for (scope, standing) in current {
                let id = scope + "/" + standing.key.description
                keep.insert(id)
                let gauge = gauges[id] ?? Gauge(
                    label: WorkerMetrics.guardVerificationRatio,
                    dimensions: [("scope", scope), ("key", standing.key.description)], factory: factory)
                gauges[id] = gauge
                gauge.record(standing.share)
            }
            for (id, gauge) in gauges where !keep.contains(id) {
                gauge.destroy()
                gauges[id] = nil
            }
        }
    }
}
