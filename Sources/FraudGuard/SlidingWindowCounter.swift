/// Sends per key within a sliding window, exact up to its tick (100 ms).
///
/// A limit of `limit` per window only needs each key's `limit` most recent send times: a send
/// is admitted when the oldest of those left the window, and that time plus the window is when
/// the next one is. So each key holds at most `limit` times, kept sorted in a ring, and a key
/// whose newest time left the window is forgotten by ``prune(now:)``. Times of other workers'
/// sends may arrive late and out of order; they are inserted in place.
///
/// Memory: `limit` × 4 bytes per key, plus the key's dictionary entry.
struct SlidingWindowCounter<Key: Hashable & Sendable>: Sendable {
    let limit: Int
    /// In ticks.
    let window: Int64

    private var slots: [Key: Int32] = [:]
    /// `limit` ticks per slot, a sorted ring starting at `heads[slot]`.
    private var times: [UInt32] = []
    private var heads: [Int32] = []
    private var counts: [Int32] = []
    private var free: [Int32] = []

    init(limit: Int, window: Int64) {
        precondition(limit >= 1 && window >= 1)
        self.limit = limit
        self.window = window
    }

    /// Keys with at least one send in the window (until the next prune).
    var keyCount: Int { slots.count }

    /// Ticks until `key` may have one more send at `now`; nil when it may now.
    func wait(_ key: Key, now: UInt32) -> Int64? {
        guard let slot = slots[key], counts[Int(slot)] >= limit else { return nil }
        let due = Int64(element(slot, 0)) + window
        return due > Int64(now) ? due - Int64(now) : nil
    }

    /// Sends of `key` within the window ending at `now`, at most `limit`.
    func count(_ key: Key, now: UInt32) -> Int {
        guard let slot = slots[key] else { return 0 }
        var inside = 0
        for index in 0..<Int(counts[Int(slot)]) where Int64(element(slot, index)) + window > Int64(now) { inside += 1 }
        return inside
    }

    /// Counts a send of `key` at `time`.
    mutating func record(_ key: Key, at time: UInt32) {
        let slot = slots[key] ?? allocate(key)
        let count = Int(counts[Int(slot)])
        // Position among the sorted times: after every time not later than this one.
        var position = count
        while position > 0, element(slot, position - 1) > time { position -= 1 }
        if count < limit {
            var index = count
            while index > position {
                setElement(slot, index, element(slot, index - 1))
                index -= 1
            }
            setElement(slot, position, time)
            counts[Int(slot)] += 1
        } else if position > 0 {
            // Full: the oldest goes; those before the new time move one place towards it.
            if position == limit {
                // In order, the common case: the ring turns.
                setElement(slot, 0, time)
                heads[Int(slot)] = Int32((Int(heads[Int(slot)]) + 1) % limit)
            } else {
                for index in 0..<(position - 1) { setElement(slot, index, element(slot, index + 1)) }
                setElement(slot, position - 1, time)
            }
        }
        // Otherwise older than all `limit` kept: it changes no decision.
    }

    /// Takes back one send of `key` at `time` (a send admitted, then not made).
    mutating func remove(_ key: Key, at time: UInt32) {
        guard let slot = slots[key] else { return }
        let count = Int(counts[Int(slot)])
        guard let found = (0..<count).last(where: { element(slot, $0) == time }) else { return }
        for index in found..<(count - 1) { setElement(slot, index, element(slot, index + 1)) }
        counts[Int(slot)] -= 1
        if count == 1 { release(key, slot) }
    }

    /// Forgets keys whose newest send left the window.
    mutating func prune(now: UInt32) {
        var gone: [(Key, Int32)] = []
        for (key, slot) in slots {
            let count = Int(counts[Int(slot)])
            if count == 0 || Int64(element(slot, count - 1)) + window <= Int64(now) { gone.append((key, slot)) }
        }
        for (key, slot) in gone { release(key, slot) }
    }

    private func element(_ slot: Int32, _ index: Int) -> UInt32 {
        times[Int(slot) * limit + (Int(heads[Int(slot)]) + index) % limit]
    }

    private mutating func setElement(_ slot: Int32, _ index: Int, _ value: UInt32) {
        times[Int(slot) * limit + (Int(heads[Int(slot)]) + index) % limit] = value
    }

    private mutating func allocate(_ key: Key) -> Int32 {
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = Int32(heads.count)
            heads.append(0)
            counts.append(0)
            times.append(contentsOf: repeatElement(0, count: limit))
        }
        heads[Int(slot)] = 0
        counts[Int(slot)] = 0
        slots[key] = slot
        return slot
    }

    private mutating func release(_ key: Key, _ slot: Int32) {
        slots[key] = nil
        counts[Int(slot)] = 0
        free.append(slot)
    }
}
