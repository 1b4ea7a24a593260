/// Sends whose code may still be typed in, by verification: resolved as verified when their
/// `otp.verified` arrives, as expired once their OTP timeout (plus a grace for the verification
/// still on its way) has passed. A binary heap orders them by expiry.
struct PendingSends: Sendable {
    struct Entry: Sendable {
        var prefix: PackedPrefix
        var country: PackedPrefix
        var expires: UInt32
    }

    private var entries: [UInt64: Entry] = [:]
    private var heap: [(expires: UInt32, verification: UInt64)] = []

    var count: Int { entries.count }

    func contains(_ verification: UInt64) -> Bool { entries[verification] != nil }

    mutating func insert(_ verification: UInt64, _ entry: Entry) {
        guard entries[verification] == nil else { return }
        entries[verification] = entry
        heap.append((entry.expires, verification))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].expires < heap[parent].expires else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the send of `verification`, if pending.
    mutating func resolve(_ verification: UInt64) -> Entry? {
        // Its heap element stays until it comes up, and is skipped then.
        entries.removeValue(forKey: verification)
    }

    /// Removes and returns the next send expired at `now`, if any.
    mutating func popExpired(now: UInt32) -> Entry? {
        while let top = heap.first, top.expires <= now {
            popTop()
            if let entry = entries[top.verification], entry.expires == top.expires {
                entries[top.verification] = nil
                return entry
            }
        }
        return nil
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].expires < heap[smallest].expires { smallest = left }
            if right < heap.count, heap[right].expires < heap[smallest].expires { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
