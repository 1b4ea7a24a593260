import Kafka

/// Key-ordered admission, as a pure state machine: the core of the worker's concurrency.
///
/// Records with the same lane (partition and key) run one after another; different lanes run
/// concurrently. At most `capacity` records are undecided at a time (queued behind their
/// lane's running record, or running towards their decision: decode, checks, the provider
/// call). A decided record, whose outputs wait for the brokers' acknowledgements, gives its
/// place to the next one, so Kafka round trips do not hold provider slots. In all, at most
/// `capacity + decidedCapacity` records are admitted (`decidedCapacity` is half of `capacity`
/// by default), so memory stays bounded however skewed the keys are and however slow the
/// brokers. This is how Confluent's parallel consumer orders by key beyond the partition count.
///
/// Partitions carry a generation that changes on every assignment and revocation: work
/// admitted under an older generation is stale, and its results must be dropped.
///
/// Invariants:
/// - a lane is present in `lanes` exactly while one of its records runs;
/// - `admitted` equals running plus queued records, over all partitions;
/// - `undecided` equals queued records plus running ones not yet marked decided;
/// - a revoked partition has no queued records (they are dropped, to be read again by the next owner).
struct LaneState<Item: Sendable>: Sendable {
    typealias Lane = WorkLane
    typealias Partition = KafkaTopicPartition

    /// What the caller must do after admitting an item.
    enum Admission: Sendable, Equatable {
        /// Start a runner for this lane with this item.
        case start
        /// The item waits behind its lane's running item.
        case queued
        /// The partition is not owned (or the worker stops): drop the item, it is read again later.
        case refused
    }

    struct PartitionStatus: Sendable {
        var generation: UInt64
        var revoking = false
        var admitted = 0
    }

    /// The running record of a lane, whether it is decided, and the records queued behind it.
    private struct LaneQueue {
        var runningDecided = false
        var queued: [(item: Item, generation: UInt64)] = []
    }

    let capacity: Int
    let decidedCapacity: Int
    /// Most records admitted in all: `capacity + decidedCapacity`.
    let totalCapacity: Int
    private(set) var admitted = 0
    private(set) var undecided = 0
    private(set) var stopping = false
    private var lanes: [Lane: LaneQueue] = [:]
    private var partitions: [Partition: PartitionStatus] = [:]
    private var nextGeneration: UInt64 = 1

    /// - Parameters:
    ///   - capacity: Most undecided records at a time.
    ///   - decidedCapacity: Room on top of `capacity` for records admitted in all (at least 1);
    ///     half of `capacity` when nil. Two Kafka round trips take a fraction of a provider
    ///     call, so fewer places suffice, and each record in flight costs memory (peak RSS
    ///     by share in docs/benchmarks.md).
    init(capacity: Int, decidedCapacity: Int? = nil) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        self.decidedCapacity = max(1, decidedCapacity ?? capacity / 2)
        let (total, overflow) = capacity.addingReportingOverflow(self.decidedCapacity)
        self.totalCapacity = overflow ? Int.max : total
    }

    private func partitionOf(_ lane: Lane) -> Partition { lane.partition }

    var hasRoom: Bool { undecided < capacity && admitted < totalCapacity }
    var runningLanes: Int { lanes.count }

    /// Records admitted and not finished, for one partition.
    func admitted(in partition: Partition) -> Int { partitions[partition]?.admitted ?? 0 }

    /// The current generation of an owned partition (nil when not owned).
    func generation(of partition: Partition) -> UInt64? { partitions[partition]?.generation }

    /// Whether work admitted under `generation` may still publish its results.
    func isCurrent(_ partition: Partition, generation: UInt64) -> Bool {
        partitions[partition]?.generation == generation
    }

    /// Whether work admitted under `generation` may still start something new (a provider call).
    func mayStart(_ partition: Partition, generation: UInt64) -> Bool {
        guard let status = partitions[partition] else { return false }
        return status.generation == generation && !status.revoking && !stopping
    }

    mutating func assign(_ assigned: [Partition]) {
        for partition in assigned {
            partitions[partition] = PartitionStatus(generation: nextGeneration)
            nextGeneration += 1
        }
    }

    /// Starts handing partitions over: their queued items are dropped and returned (their slots
    /// freed); running items may finish and publish until `finishRevocation`.
    mutating func beginRevocation(_ revoked: Set<Partition>) -> [Item] {
        var dropped: [Item] = []
        for partition in revoked where partitions[partition] != nil {
            partitions[partition]!.revoking = true
        }
        for (lane, queue) in lanes where revoked.contains(partitionOf(lane)) && !queue.queued.isEmpty {
            dropped.append(contentsOf: queue.queued.map(\.item))
            for entry in queue.queued { release(partitionOf(lane), generation: entry.generation, decided: false) }
            lanes[lane]!.queued = []
        }
        return dropped
    }

    /// The partitions are gone: anything still running for them is stale.
    mutating func finishRevocation(_ revoked: Set<Partition>) {
        for partition in revoked { partitions[partition] = nil }
    }

    /// Stops admitting; queued items are dropped and returned.
    mutating func stop() -> [Item] {
        stopping = true
        var dropped: [Item] = []
        for (lane, queue) in lanes where !queue.queued.isEmpty {
            dropped.append(contentsOf: queue.queued.map(\.item))
            for entry in queue.queued { release(partitionOf(lane), generation: entry.generation, decided: false) }
            lanes[lane]!.queued = []
        }
        return dropped
    }

    /// Admits an item of `lane`. The caller must have checked `hasRoom` (admission past the
    /// capacity is allowed but means the caller ignored backpressure).
    mutating func admit(_ item: Item, lane: Lane) -> (Admission, generation: UInt64) {
        let partition = partitionOf(lane)
        guard !stopping, let status = partitions[partition], !status.revoking else { return (.refused, 0) }
        admitted += 1
        undecided += 1
        partitions[partition]!.admitted += 1
        if lanes[lane] != nil {
            lanes[lane]!.queued.append((item, status.generation))
            return (.queued, status.generation)
        }
        lanes[lane] = LaneQueue()
        return (.start, status.generation)
    }

    /// The running record of `lane` has its decision; only its outputs are left to publish.
    /// Its undecided place goes to the next record. Marking it twice changes nothing.
    mutating func decided(lane: Lane) {
        guard let queue = lanes[lane], !queue.runningDecided else { return }
        lanes[lane]!.runningDecided = true
        undecided -= 1
    }

    /// The running item of `lane`, admitted under `generation`, finished; returns the lane's
    /// next item and its generation, if any. When nil, the lane's runner ends.
    mutating func finish(lane: Lane, generation: UInt64) -> (item: Item, generation: UInt64)? {
        precondition(lanes[lane] != nil, "finish for a lane with nothing running")
        release(partitionOf(lane), generation: generation, decided: lanes[lane]!.runningDecided)
        guard var queue = lanes[lane], !queue.queued.isEmpty else {
            lanes[lane] = nil
            return nil
        }
        let next = queue.queued.removeFirst()
        queue.runningDecided = false
        lanes[lane] = queue
        return next
    }

    /// Frees one place; the partition's own count only if the item belongs to its current generation.
    private mutating func release(_ partition: Partition, generation: UInt64, decided: Bool) {
        admitted -= 1
        if !decided { undecided -= 1 }
        if partitions[partition]?.generation == generation { partitions[partition]!.admitted -= 1 }
    }
}

extension LaneState.Admission: CustomStringConvertible {
    var description: String {
        switch self {
        case .start: "start"
        case .queued: "queued"
        case .refused: "refused"
        }
    }
}

/// Records that must run in order: same partition, same key. Records without a key share
/// their partition's one lane.
struct WorkLane: Hashable, Sendable {
    var partition: KafkaTopicPartition
    var key: [UInt8]?
}
