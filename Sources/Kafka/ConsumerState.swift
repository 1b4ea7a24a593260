/// The consumer's bookkeeping between librdkafka's poll thread and the application: records
/// waiting to be read, the partitions owned and their offset trackers, pauses, and the reader
/// waiting for a record. Plain data; `KafkaConsumer` keeps it behind a lock and performs the
/// librdkafka calls its methods ask for.
struct ConsumerState {
    struct Partition {
        var epoch: UInt64
        var tracker = OffsetTracker()
        var pausedByUser = false
        /// Records that arrived for a partition the application paused, kept in order.
        var held: [KafkaConsumerRecord] = []
    }

    typealias Waiter = CheckedContinuation<Result<KafkaConsumerRecord?, KafkaError>, Never>

    let capacity: Int
    private(set) var partitions: [KafkaTopicPartition: Partition] = [:] {
        didSet { lastLookup = nil }  // any other change may move entries: forget the cached index
    }
    /// The partition looked up last. Records arrive, and are marked done, in long runs of one
    /// partition, and hashing the topic name for every record costs more than the rest of the
    /// bookkeeping. Mutations through `withPartition` keep it valid; any other write clears it.
    private var lastLookup: (key: KafkaTopicPartition, index: Dictionary<KafkaTopicPartition, Partition>.Index)?
    private var ready = FIFOQueue<KafkaConsumerRecord>()
    private var waiter: Waiter?
    private var nextEpoch: UInt64 = 1
    /// Fetching of every owned partition is paused because the reader fell behind.
    private(set) var pausedForFlowControl = false
    /// The poll thread is blocked waiting for the reader to make room.
    private(set) var pollThreadWaitsForRoom = false
    /// Set when no more records will come; the reader gets `nil` or the error after the buffer.
    private(set) var ending: Result<Void, KafkaError>?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var readyCount: Int { ready.count }

    // MARK: Partitions

    /// Takes ownership of `added`, each under a new epoch.
    mutating func assign(_ added: [KafkaTopicPartition]) {
        for topicPartition in added {
            partitions[topicPartition] = Partition(epoch: nextEpoch)
            nextEpoch += 1
        }
    }

    /// Gives up `removed`: drops their records not yet handed out and returns the offsets that
    /// are safe to commit for them. These are returned even when a background commit already
    /// sent them: that commit may still fail, and the next owner starts from what is committed.
    mutating func revoke(_ removed: [KafkaTopicPartition]) -> [KafkaTopicPartition: Int64] {
        let gone = Set(removed)
        var commits: [KafkaTopicPartition: Int64] = [:]
        for topicPartition in removed {
            if let offset = partitions.removeValue(forKey: topicPartition)?.tracker.committable {
                commits[topicPartition] = offset
            }
        }
        dropReady { gone.contains($0.topicPartition) }
        return commits
    }

    /// Drops records of `list` not yet handed out (they will be read again by the next owner).
    mutating func dropUnread(_ list: [KafkaTopicPartition]) {
        let gone = Set(list)
        dropReady { gone.contains($0.topicPartition) }
        for key in list { partitions[key]?.held = [] }
    }

    /// Starts a partition over at a new position: a new epoch, so results of records read before
    /// are ignored, and no records from before the seek.
    mutating func restart(_ topicPartition: KafkaTopicPartition) {
        guard partitions[topicPartition] != nil else { return }
        partitions[topicPartition] = Partition(epoch: nextEpoch, pausedByUser: partitions[topicPartition]!.pausedByUser)
        nextEpoch += 1
        dropReady { $0.topicPartition == topicPartition }
    }

    // MARK: Records in

    /// Runs `body` on the partition's state in place (no copy of its tracker), or returns nil
    /// when the partition is not owned.
    private mutating func withPartition<R>(_ key: KafkaTopicPartition, _ body: (inout Partition) -> R) -> R? {
        let index: Dictionary<KafkaTopicPartition, Partition>.Index
        if let lastLookup, lastLookup.key == key {
            index = lastLookup.index
        } else {
            guard let found = partitions.index(forKey: key) else { return nil }
            index = found
        }
        // Writing through `values` moves no entry, so the index stays valid; `didSet` still runs
        // and clears the cache, which is why it is set again after the write.
        let result = body(&partitions.values[index])
        lastLookup = (key, index)
        return result
    }

    /// Adds records from librdkafka, moving them out of `records` (left holding placeholders).
    /// Returns the reader to resume (with the first record already handed to it).
    mutating func append(_ records: inout [KafkaConsumerRecord]) -> (Waiter, KafkaConsumerRecord)? {
        for position in records.indices {
            // Move the record out rather than copy it: no reference counting per buffer.
            var record = KafkaConsumerRecord.placeholder
            swap(&record, &records[position])
            let offset = record.offset
            let owner = withPartition(record.topicPartition) { partition in
                partition.tracker.delivered(offset)
                return (epoch: partition.epoch, paused: partition.pausedByUser)
            }
            guard let owner else { continue }  // revoked while in flight
            record.assignmentEpoch = owner.epoch
            if owner.paused {
                withPartition(record.topicPartition) { $0.held.append(record) }
            } else {
                ready.append(record)
            }
        }
        var resume: (Waiter, KafkaConsumerRecord)?
        if let waiter, let record = popReady() {
            self.waiter = nil
            resume = (waiter, record)
        }
        return resume
    }

    /// Whether the poll thread should stop taking records until the reader catches up.
    var isFull: Bool { readyCount >= capacity }

    /// The poll thread is about to wait for room; the reader signals it below half capacity.
    mutating func startWaitingForRoom() { pollThreadWaitsForRoom = true }

    /// The poll thread gave up waiting: pause fetching so that it can go on serving the group.
    /// Returns false when the reader made room meanwhile.
    mutating func stopWaitingForRoom() -> Bool {
        let stillWaiting = pollThreadWaitsForRoom
        pollThreadWaitsForRoom = false
        if stillWaiting && isFull && !pausedForFlowControl {
            pausedForFlowControl = true
            return true
        }
        return false
    }

    /// Ends the stream of records after those already buffered.
    mutating func end(_ result: Result<Void, KafkaError>) -> Waiter? {
        if ending == nil { ending = result }
        guard readyCount == 0, let waiter else { return nil }
        self.waiter = nil
        return waiter
    }

    // MARK: Records out

    enum Next {
        case record(KafkaConsumerRecord, resumeFetching: Bool, wakePollThread: Bool)
        case finished(Result<Void, KafkaError>)
        case wait
    }

    /// The reader asks for the next record.
    mutating func next() -> Next {
        if let record = popReady() {
            let (resume, wake) = releaseFlowControl()
            return .record(record, resumeFetching: resume, wakePollThread: wake)
        }
        if let ending { return .finished(ending) }
        return .wait
    }

    enum NextBatch {
        case records([KafkaConsumerRecord], resumeFetching: Bool, wakePollThread: Bool)
        case finished(Result<Void, KafkaError>)
        case wait
    }

    /// The reader asks for up to `limit` records at once.
    mutating func nextBatch(limit: Int) -> NextBatch {
        guard readyCount > 0 else {
            if let ending { return .finished(ending) }
            return .wait
        }
        var records: [KafkaConsumerRecord] = []
        records.reserveCapacity(min(limit, readyCount))
        while records.count < limit, let record = popReady() { records.append(record) }
        let (resume, wake) = releaseFlowControl()
        return .records(records, resumeFetching: resume, wakePollThread: wake)
    }

    /// After the reader took records: once the buffer is down to half, fetching may resume and
    /// a poll thread waiting for room may go on. Each is reported once.
    private mutating func releaseFlowControl() -> (resumeFetching: Bool, wakePollThread: Bool) {
        let lowWater = readyCount <= capacity / 2
        let resume = pausedForFlowControl && lowWater
        if resume { pausedForFlowControl = false }
        let wake = pollThreadWaitsForRoom && lowWater
        if wake { pollThreadWaitsForRoom = false }
        return (resume, wake)
    }

    /// Parks the reader until a record or the end arrives.
    mutating func park(_ waiter: Waiter) {
        precondition(self.waiter == nil, "records can be read by one reader at a time")
        self.waiter = waiter
    }

    /// Marks a record done; ignored when it came from an earlier assignment of its partition.
    @discardableResult
    mutating func markDone(_ topicPartition: KafkaTopicPartition, offset: Int64, epoch: UInt64) -> Bool {
        withPartition(topicPartition) { partition in
            partition.epoch == epoch && partition.tracker.markDone(offset)
        } ?? false
    }

    // MARK: Pause

    /// Marks partitions paused by the application; returns those it owns.
    mutating func pauseByUser(_ list: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        let owned = list.filter { partitions[$0] != nil }
        let set = Set(owned)
        for key in owned { partitions[key]!.pausedByUser = true }
        // Records already buffered for them wait too, in order, ahead of anything fetched later.
        for record in ready.elements where set.contains(record.topicPartition) {
            partitions[record.topicPartition]!.held.append(record)
        }
        ready.removeAll { set.contains($0.topicPartition) }
        return owned
    }

    /// Lifts the application's pause; returns the partitions to resume fetching for (none while
    /// flow control holds everything) and the reader to wake with a held record, if any.
    mutating func resumeByUser(_ list: [KafkaTopicPartition]) -> (fetch: [KafkaTopicPartition], wake: (Waiter, KafkaConsumerRecord)?) {
        var resumed: [KafkaTopicPartition] = []
        for key in list {
            guard var partition = partitions[key], partition.pausedByUser else { continue }
            partition.pausedByUser = false
            ready.append(contentsOf: partition.held)
            partition.held = []
            partitions[key] = partition
            resumed.append(key)
        }
        var wake: (Waiter, KafkaConsumerRecord)?
        if let waiter, let record = popReady() {
            self.waiter = nil
            wake = (waiter, record)
        }
        return (pausedForFlowControl ? [] : resumed, wake)
    }

    /// The partitions fetching may run for once flow control lets go.
    var unpausedPartitions: [KafkaTopicPartition] {
        partitions.filter { !$0.value.pausedByUser }.map(\.key)
    }

    // MARK: Commits

    /// Offsets that moved since their last commit (with `all`, every known one); marks them committed.
    mutating func takeCommits(all: Bool = false) -> [KafkaTopicPartition: Int64] {
        var commits: [KafkaTopicPartition: Int64] = [:]
        // In place through `values`: copying a Partition out and back copied its whole tracker.
        for index in partitions.indices {
            guard let offset = all ? partitions.values[index].tracker.committable : partitions.values[index].tracker.uncommitted
            else { continue }
            partitions.values[index].tracker.lastCommitted = offset
            commits[partitions.keys[index]] = offset
        }
        return commits
    }

    /// Background commits are held from a commit refused for a rebalance until the rebalance is
    /// served (or this instant passes): commits sent during a rebalance carry the old generation,
    /// and librdkafka answers ILLEGAL_GENERATION by declaring the whole assignment lost.
    var commitsSuspendedUntil: ContinuousClock.Instant?

    /// Whether background commits may go out now.
    func mayCommitInBackground(now: ContinuousClock.Instant) -> Bool {
        guard let until = commitsSuspendedUntil else { return true }
        return now >= until
    }

    /// Forgets that `commits` were committed, after the commit failed, so they are tried again.
    mutating func commitFailed(_ commits: [KafkaTopicPartition: Int64]) {
        for (key, offset) in commits where partitions[key]?.tracker.lastCommitted == offset {
            partitions[key]!.tracker.lastCommitted = nil
        }
    }

    // MARK: Private

    private mutating func popReady() -> KafkaConsumerRecord? {
        ready.popFirst()
    }

    private mutating func dropReady(where shouldDrop: (KafkaConsumerRecord) -> Bool) {
        ready.removeAll(where: shouldDrop)
    }
}

extension KafkaConsumerRecord {
    /// What a record moved out of an array leaves behind: allocates nothing, releases nothing.
    static var placeholder: KafkaConsumerRecord {
        KafkaConsumerRecord(topic: "", partition: -1, offset: -1, key: nil, value: nil)
    }
}
