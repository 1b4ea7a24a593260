import Kafka
import Primitives

/// The lane state machine with its waiting parts: the reader waiting for room, revocations
/// and shutdown waiting for partitions to drain, and the runner task of every lane.
final class Lanes: Sendable {
    private struct Waiters {
        var room: CheckedContinuation<Bool, Never>?
        var drains: [UInt64: (partitions: Set<KafkaTopicPartition>?, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextDrainID: UInt64 = 0
        var runners: [WorkLane: Task<Void, Never>] = [:]
    }

    private struct State {
        var lanes: LaneState<KafkaConsumerRecord>
        var waiters = Waiters()
    }

    private let state: Locked<State>
    private let metrics: PipelineMetrics

    init(capacity: Int, metrics: PipelineMetrics) {
        state = Locked(State(lanes: LaneState(capacity: capacity)))
        self.metrics = metrics
    }

    var admitted: Int { state.withLock { $0.lanes.admitted } }

    /// Whether the reader is parked waiting for room.
    var hasWaitingReader: Bool { state.withLock { $0.waiters.room != nil } }

    func isCurrent(_ partition: KafkaTopicPartition, generation: UInt64) -> Bool {
        state.withLock { $0.lanes.isCurrent(partition, generation: generation) }
    }

    func mayStart(_ partition: KafkaTopicPartition, generation: UInt64) -> Bool {
        state.withLock { $0.lanes.mayStart(partition, generation: generation) }
    }

    /// Waits until a record can be admitted; false when the worker stops.
    func waitForRoom() async -> Bool {
        // Nearly always there is room: answer without making a continuation (an allocation
        // per record read).
        if let immediate = state.withLock({ Self.roomNow($0) }) { return immediate }
        return await withCheckedContinuation { continuation in
            let immediate: Bool? = state.withLock { state in
                if let now = Self.roomNow(state) { return now }
                state.waiters.room = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Admits `record`; when its lane is idle, `start` makes the lane's runner (called under the
    /// lock, so the runner is registered before it can finish). False when refused.
    func admit(
        _ record: KafkaConsumerRecord,
        start: (WorkLane, UInt64) -> Task<Void, Never>
    ) -> Bool {
        let lane = WorkLane(partition: record.topicPartition, key: record.key)
        let admitted = state.withLock { state -> Bool in
            let (admission, generation) = state.lanes.admit(record, lane: lane)
            switch admission {
            case .refused: return false
            case .queued: return true
            case .start:
                state.waiters.runners[lane] = start(lane, generation)
                return true
            }
        }
        metrics.inFlight(self.admitted)
        return admitted
    }

    /// The running record of `lane` has its decision; the next record may be admitted while
    /// its outputs are published.
    func decided(lane: WorkLane) {
        let room = state.withLock { state in
            state.lanes.decided(lane: lane)
            return Self.takeRoomWaiter(&state)
        }
        if let room { room.waiter.resume(returning: room.admit) }
    }

    /// The running record of `lane` is finished; returns the next one to run, if any.
    func finish(lane: WorkLane, generation: UInt64) -> (record: KafkaConsumerRecord, generation: UInt64)? {
        let (next, count, room, resume) = state.withLock { state in
            let next = state.lanes.finish(lane: lane, generation: generation)
            if next == nil { state.waiters.runners[lane] = nil }
            return (next, state.lanes.admitted, Self.takeRoomWaiter(&state), Self.takeDrained(&state))
        }
        if let room { room.waiter.resume(returning: room.admit) }
        resume.forEach { $0.resume() }
        metrics.inFlight(count)
        return next.map { (record: $0.item, generation: $0.generation) }
    }

    func assign(_ partitions: [KafkaTopicPartition]) {
        state.withLock { $0.lanes.assign(partitions) }
    }

    /// Drops queued records of `partitions`; running ones may finish until `finishRevocation`.
    func beginRevocation(_ partitions: Set<KafkaTopicPartition>) -> Int {
        let (dropped, resume, room) = state.withLock { state in
            // Dropped records free places: the reader may admit records of the partitions kept.
            let dropped = state.lanes.beginRevocation(partitions)
            return (dropped.count, Self.takeDrained(&state), Self.takeRoomWaiter(&state))
        }
        if let room { room.waiter.resume(returning: room.admit) }
        resume.forEach { $0.resume() }
        if dropped > 0 { metrics.abandoned(dropped) }
        return dropped
    }

    func finishRevocation(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { $0.lanes.finishRevocation(partitions) }
    }

    /// Stops admitting; drops queued records and releases a reader waiting for room.
    func stop() {
        let (dropped, room, resume) = state.withLock { state in
            let dropped = state.lanes.stop()
            return (dropped.count, Self.takeRoomWaiter(&state), Self.takeDrained(&state))
        }
        if let room { room.waiter.resume(returning: room.admit) }
        resume.forEach { $0.resume() }
        if dropped > 0 { metrics.abandoned(dropped) }
    }

    /// Waits until no record of `partitions` (all when nil) is admitted, or until `deadline`.
    /// Returns whether they drained.
    func drain(_ partitions: Set<KafkaTopicPartition>?, until deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.drained(partitions); return true }
            group.addTask {
                do { try await Task.sleep(until: deadline) } catch { return true }
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first && !Task.isCancelled
        }
    }

    /// Cancels the runners of `partitions` (all when nil) and waits for them to end.
    func cancelRunners(_ partitions: Set<KafkaTopicPartition>?) async {
        let runners = state.withLock { state in
            state.waiters.runners.filter { partitions?.contains($0.key.partition) ?? true }.map(\.value)
        }
        runners.forEach { $0.cancel() }
        for runner in runners { await runner.value }
    }

    private func drained(_ partitions: Set<KafkaTopicPartition>?) async {
        let id = state.withLock { state in
            state.waiters.nextDrainID += 1
            return state.waiters.nextDrainID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state in
                    if Task.isCancelled || Self.isDrained(state.lanes, partitions) { return true }
                    state.waiters.drains[id] = (partitions, continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.drains.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    private static func isDrained(_ lanes: LaneState<KafkaConsumerRecord>, _ partitions: Set<KafkaTopicPartition>?) -> Bool {
        guard let partitions else { return lanes.admitted == 0 }
        return partitions.allSatisfy { lanes.admitted(in: $0) == 0 }
    }

    /// Whether a record may be admitted now (true), never (false: stopping), or later (nil).
    private static func roomNow(_ state: State) -> Bool? {
        if state.lanes.stopping { return false }
        if state.lanes.hasRoom { return true }
        return nil
    }

    /// The reader parked for room, taken once there is room (it may admit) or the worker stops
    /// (it may not); nil while it must keep waiting.
    private static func takeRoomWaiter(_ state: inout State) -> (waiter: CheckedContinuation<Bool, Never>, admit: Bool)? {
        guard state.lanes.hasRoom || state.lanes.stopping, let waiter = state.waiters.room else { return nil }
        state.waiters.room = nil
        return (waiter, !state.lanes.stopping)
    }

    private static func takeDrained(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        var ready: [CheckedContinuation<Void, Never>] = []
        for (id, waiter) in state.waiters.drains where isDrained(state.lanes, waiter.partitions) {
            ready.append(waiter.continuation)
            state.waiters.drains[id] = nil
        }
        return ready
    }
}
