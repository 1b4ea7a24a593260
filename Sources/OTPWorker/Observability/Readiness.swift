/// Whether the worker should receive traffic, and if not, why.
///
/// `/readyz` answers 200 for ``ready`` and 503 with the reason for ``notReady(_:)``,
/// so an operator reading the probe sees what the worker is waiting for.
public enum Readiness: Sendable, Equatable {
    /// Joined its group and holds a provider token: consuming normally.
    case ready
    /// Not consuming yet or paused; the text says why (e.g. `joining group`).
    case notReady(String)
}

/// Anything `/readyz` can ask; ``ReadinessState`` is the implementation the worker uses.
///
/// Implementations must answer quickly and without blocking: the probe reads
/// ``readiness`` on an event loop, once per request.
public protocol ReadinessSource: Sendable {
    /// The current readiness.
    var readiness: Readiness { get }
}
