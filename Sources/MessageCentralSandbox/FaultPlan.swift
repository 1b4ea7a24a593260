/// The faults queued for upcoming calls and the standing added latency.
///
/// Faults are taken first in, first out: a call takes the oldest queued
/// fault aimed at its endpoint or at all endpoints, and that fault's count
/// drops by one. One call suffers at most one queued fault, after the
/// standing latency.
struct FaultPlan: Sendable {
    private struct Entry: Sendable {
        let fault: SandboxFault
        let endpoint: SandboxEndpoint
        var remaining: Int
    }

    private var entries: [Entry] = []
    /// Added to every call of the emulated API until cleared; `nil` means none.
    var latency: Duration?

    /// Queues `fault` for the next `count` calls to `endpoint`; a count below 1 queues nothing.
    mutating func inject(_ fault: SandboxFault, count: Int, endpoint: SandboxEndpoint) {
        guard count > 0 else { return }
        entries.append(Entry(fault: fault, endpoint: endpoint, remaining: count))
    }

    /// Takes the fault the next call to `endpoint` suffers, if any.
    mutating func take(for endpoint: SandboxEndpoint) -> SandboxFault? {
        guard let index = entries.firstIndex(where: { $0.endpoint == .all || $0.endpoint == endpoint }) else {
            return nil
        }
        let fault = entries[index].fault
        entries[index].remaining -= 1
        if entries[index].remaining == 0 { entries.remove(at: index) }
        return fault
    }

    /// Faults still queued, counting each remaining call.
    var pendingCount: Int { entries.reduce(0) { $0 + $1.remaining } }
}
