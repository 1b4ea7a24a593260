/// Tracks one partition's delivered and finished offsets and yields the offset that is safe to
/// commit: the lowest record not yet done, or one past the last delivered record when all are.
///
/// Records finish in any order; the committable offset never passes an unfinished record
/// (docs/kafka-layer.md, trap 7). Offsets need not be contiguous (compaction, control records).
public struct OffsetTracker: Sendable {
    /// Delivered offsets in ascending order not yet passed by the watermark.
    private var pending = FIFOQueue<Int64>()
    /// Finished offsets that are still behind an unfinished one.
    private var doneAhead: Set<Int64> = []
    /// The highest offset delivered so far.
    public private(set) var lastDelivered: Int64?
    /// The offset last handed to a commit, so unchanged watermarks are not committed again.
    public var lastCommitted: Int64?

    /// Creates an empty tracker.
    public init() {}

    /// Records that `offset` was handed to the application. Offsets must arrive in ascending order.
    public mutating func delivered(_ offset: Int64) {
        if let lastDelivered, offset <= lastDelivered { return }
        pending.append(offset)
        lastDelivered = offset
    }

    /// Records that `offset` is done. Returns false for an offset that was never delivered or is
    /// already done.
    @discardableResult
    public mutating func markDone(_ offset: Int64) -> Bool {
        guard let oldest = pending.first, offset >= oldest, offset <= lastDelivered ?? Int64.min else { return false }
        if offset == oldest {
            _ = pending.popFirst()
            // In order, nothing is done ahead: skip hashing the next offset into an empty set.
            while !doneAhead.isEmpty, let next = pending.first, doneAhead.remove(next) != nil {
                _ = pending.popFirst()
            }
            return true
        }
        return doneAhead.insert(offset).inserted
    }

    /// The next offset to commit, or `nil` when nothing was delivered.
    public var committable: Int64? {
        pending.first ?? lastDelivered.map { $0 + 1 }
    }

    /// The committable offset if it moved since the last commit.
    public var uncommitted: Int64? {
        guard let committable, committable != lastCommitted else { return nil }
        return committable
    }

    /// How many delivered records are not done yet.
    public var inFlight: Int { pending.count - doneAhead.count }

    /// The oldest unfinished offset, if any.
    public var oldestUnfinished: Int64? { pending.first }
}
