/// Verified and expired-unverified sends per key within a sliding window, in 12 buckets: the
/// window counted is between 11/12 of its length and its length, which is precise enough for
/// a share and costs 12 × 12 bytes per key whatever the traffic.
struct ConversionCounter<Key: Hashable & Sendable>: Sendable {
    static var bucketCount: Int { 12 }

    /// Ticks per bucket.
    let width: Int64

    private var slots: [Key: Int32] = [:]
    /// Per slot, `bucketCount` entries: which bucket (time / width) each holds, and its counts.
    private var epochs: [UInt32] = []
    private var verified: [UInt32] = []
    private var expired: [UInt32] = []
    private var free: [Int32] = []

    init(window: Int64) {
        width = max(1, (window + Int64(Self.bucketCount) - 1) / Int64(Self.bucketCount))
    }

    var keys: Dictionary<Key, Int32>.Keys { slots.keys }

    /// Counts one send of `key`, resolved at `time`: verified, or expired unverified.
    mutating func record(_ key: Key, verified isVerified: Bool, at time: UInt32) {
        let slot = slots[key] ?? allocate(key)
        let epoch = UInt32(Int64(time) / width)
        let index = Int(slot) * Self.bucketCount + Int(epoch) % Self.bucketCount
        if epochs[index] != epoch {
            // The bucket holds a later turn of the ring: this time is older than the window.
            if epochs[index] > epoch { return }
            epochs[index] = epoch
            verified[index] = 0
            expired[index] = 0
        }
        if isVerified { verified[index] += 1 } else { expired[index] += 1 }
    }

    /// Verified and expired sends of `key` in the window ending at `now`.
    func totals(_ key: Key, now: UInt32) -> (verified: Int, expired: Int) {
        guard let slot = slots[key] else { return (0, 0) }
        return totals(slot: slot, now: now)
    }

    /// Forgets keys with nothing in the window; calls `visit` with the totals of the others.
    mutating func prune(now: UInt32, visit: (Key, _ verified: Int, _ expired: Int) -> Void = { _, _, _ in }) {
        var gone: [(Key, Int32)] = []
        for (key, slot) in slots {
            let (verified, expired) = totals(slot: slot, now: now)
            if verified + expired == 0 { gone.append((key, slot)) } else { visit(key, verified, expired) }
        }
        for (key, slot) in gone {
            slots[key] = nil
            free.append(slot)
        }
    }

    private func totals(slot: Int32, now: UInt32) -> (verified: Int, expired: Int) {
        let current = Int64(now) / width
        var sums = (verified: 0, expired: 0)
        let base = Int(slot) * Self.bucketCount
        for index in base..<(base + Self.bucketCount) {
            let epoch = Int64(epochs[index])
            guard epoch <= current, epoch > current - Int64(Self.bucketCount) else { continue }
            sums.verified += Int(verified[index])
            sums.expired += Int(expired[index])
        }
        return sums
    }

    private mutating func allocate(_ key: Key) -> Int32 {
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = Int32(epochs.count / Self.bucketCount)
            epochs.append(contentsOf: repeatElement(0, count: Self.bucketCount))
            verified.append(contentsOf: repeatElement(0, count: Self.bucketCount))
            expired.append(contentsOf: repeatElement(0, count: Self.bucketCount))
        }
        let base = Int(slot) * Self.bucketCount
        for index in base..<(base + Self.bucketCount) {
            epochs[index] = 0
            verified[index] = 0
            expired[index] = 0
        }
        slots[key] = slot
        return slot
    }
}
