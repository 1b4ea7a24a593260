import CRdKafka
import Logging
import Primitives

extension KafkaConsumer {
    /// Leaves the group cleanly, bounded by `timeout`: commits what is done, lets the rebalance
    /// listener drain revoked partitions, closes librdkafka's consumer and destroys it
    /// (docs/kafka-layer.md, trap 9). The `records` sequence ends. Safe to call more than once.
    ///
    /// Stop taking new work and finish or abandon in-flight work first (in the listener's
    /// `partitionsRevoked`, or before calling this) so that their offsets are committed.
    public func close(timeout: Duration = .seconds(20)) async {
        let deadline = ContinuousClock.now + timeout
        let mustNotDestroy = await awaitFirstAssignment(until: ContinuousClock.now + timeout / 2)
        let signal = ResumeOnce<Bool>()
        let timer = Task {
            try? await Task.sleep(until: deadline)
            signal.resume(with: false)
        }
        let closed = lifecycle.withLock { lifecycle in
            lifecycle.closeRequested = true
            if !lifecycle.closed { lifecycle.closeWaiters.append(signal) }
            return lifecycle.closed
        }
        if closed { signal.resume(with: true) } else { wakePollThread() }
        let closedInTime = await withCheckedContinuation { signal.install($0) }
        timer.cancel()
        guard closedInTime else {
            logger.error("consumer close did not finish within \(timeout); abandoning the librdkafka handle")
            let waiter = state.withLock { $0.end(.success(())) }
            waiter?.resume(returning: .success(nil))
            return
        }
        guard let loop = pollLoop.withLock({ state in defer { state = nil }; return state }) else { return }
        await loop.stop()
        // No statistics are served any more: a closed consumer reports nothing.
        statistics.removeAll()
        // No wake-up may touch the queue once it is gone (a second close, a late seek).
        lifecycle.withLock { $0.queueReleased = true }
        consumerQueue.destroy()
        guard !mustNotDestroy else {
            logger.warning("leaving the librdkafka handle of a consumer that joined its group but never got an assignment: librdkafka 2.0.2 aborts the process when destroying it (librdkafka#4312)")
            return
        }
        _ = await handle.destroy(timeout: max(deadline - ContinuousClock.now, .seconds(1)))
    }

    /// librdkafka 2.0.2 asserts (aborting the process) when a cooperative-sticky consumer is
    /// destroyed after joining a group but before its first assignment (librdkafka#4312, fixed
    /// in 2.3.0). Give a join in progress until `deadline` to deliver that assignment; returns
    /// true when the handle must not be destroyed because none came.
    private func awaitFirstAssignment(until deadline: ContinuousClock.Instant) async -> Bool {
        guard configuration.assignmentStrategy == .cooperativeSticky else { return false }
        let signal = ResumeOnce<Bool>()
        let waiting = lifecycle.withLock { lifecycle -> Bool in
            guard lifecycle.subscribed, !lifecycle.everAssigned, !lifecycle.closeRequested else { return false }
            lifecycle.assignmentWaiters.append(signal)
            return true
        }
        guard waiting else { return false }
        let timer = Task {
            try? await Task.sleep(until: deadline)
            signal.resume(with: false)
        }
        let assigned = await withCheckedContinuation { signal.install($0) }
        timer.cancel()
        return !assigned
    }

    /// Makes the poll thread's blocking poll return now, unless the queue is already released
    /// or the poll thread is closing (then it is not polling).
    func wakePollThread() {
        lifecycle.withLock { lifecycle in
            if lifecycle.mayWake { consumerQueue.wake() }
        }
    }

    /// Runs on the poll thread, where librdkafka serves the revocation that close triggers.
    func closeOnPollThread() {
        runCommands()  // queued before close was asked for; nothing is queued after
        if configuration.groupID != nil {
            let commits = state.withLock { $0.takeCommits(all: true) }
            if !commits.isEmpty { commitBlocking(commits, handle.pointer, what: "final commit") }
        }
        // rd_kafka_consumer_close forwards the consumer queue to a queue of its own and waits
        // there for its end; a yield landing there (`wakePollThread` from `close`, a command)
        // makes it return _TIMED_OUT at once, before the group is left and the final
        // revocation served (docs/kafka-layer.md, trap 14). No wake-up is needed from here on:
        // this thread is not polling.
        lifecycle.withLock { $0.closing = true }
        let err = rd_kafka_consumer_close(handle.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { logFailure(KafkaError(err), "close") }
        let waiter = state.withLock { $0.end(.success(())) }
        waiter?.resume(returning: .success(nil))
        let waiters = lifecycle.withLock { lifecycle in
            lifecycle.closed = true
            defer { lifecycle.closeWaiters = [] }
            return lifecycle.closeWaiters
        }
        for waiter in waiters { waiter.resume(with: true) }
        logger.info("consumer closed")
    }
}
