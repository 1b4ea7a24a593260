import Metrics
import Primitives

/// Readiness made of named conditions, each set by the part of the worker that owns it.
///
/// The worker is ready only while every condition is ready, so the consumer can report
/// `group` and the provider client `provider` without knowing about each other:
///
/// ```swift
/// let readiness = ReadinessState(pending: [("group", "joining group"), ("provider", "no provider token")])
/// readiness.set("group", ready: true)
/// readiness.set("provider", ready: false, reason: "provider unauthorized, consumption paused")
/// ```
///
/// Safe to use from any thread. With no conditions at all it is ready, so declare the
/// conditions at creation (``init(pending:)``), before the probe can be asked.
public final class ReadinessState: ReadinessSource, Sendable {
    private struct Condition: Sendable {
        var name: String
        var reason: String?
    }

    // Conditions in declaration order, so the reason text is stable from probe to probe.
    private let conditions = Locked<[Condition]>([])
    // Mirrors `readiness` as 1 or 0, so an alert can tell how long a worker was not ready:
    // `/readyz` itself is only seen by the orchestrator's probe.
    private let gauge: Gauge?

    /// Creates a state whose conditions start not ready.
    ///
    /// - Parameters:
    ///   - pending: Condition names with the reason each is not ready yet.
    ///   - gauge: Set to 1 while ready and 0 while not, after every change; the worker passes
    ///     `otp_ready` (``WorkerMetrics/ready``).
    public init(pending: [(name: String, reason: String)] = [], gauge: Gauge? = nil) {
        self.gauge = gauge
        for condition in pending {
            set(condition.name, ready: false, reason: condition.reason)
        }
        publish()
    }

    /// Sets one condition, adding it if it is new.
    ///
    /// - Parameters:
    ///   - name: The condition, e.g. `group` or `provider`.
    ///   - ready: Whether this condition allows the worker to be ready.
    ///   - reason: Why it is not ready; shown by `/readyz`. Ignored when `ready` is true.
    public func set(_ name: String, ready: Bool, reason: String = "") {
        let reason: String? = ready ? nil : (reason.isEmpty ? name : reason)
        conditions.withLock { conditions in
            if let index = conditions.firstIndex(where: { $0.name == name }) {
                conditions[index].reason = reason
            } else {
                conditions.append(Condition(name: name, reason: reason))
            }
        }
        publish()
    }

    /// Whether `condition` is known and ready.
    public func isReady(condition name: String) -> Bool {
        conditions.withLock { conditions in conditions.contains { $0.name == name && $0.reason == nil } }
    }

    /// Forgets a condition, e.g. one that no longer applies.
    public func remove(_ name: String) {
        conditions.withLock { $0.removeAll { $0.name == name } }
        publish()
    }

    private func publish() {
        guard let gauge else { return }
        // Recorded under the lock, so two racing changes cannot leave a stale value behind.
        conditions.withLock { conditions in
            gauge.record(conditions.allSatisfy { $0.reason == nil } ? 1 : 0)
        }
    }

    /// Ready when every condition is; otherwise the reasons of those that are not, joined by `; `.
    public var readiness: Readiness {
        let reasons = conditions.withLock { $0.compactMap(\.reason) }
        return reasons.isEmpty ? .ready : .notReady(reasons.joined(separator: "; "))
    }
}
