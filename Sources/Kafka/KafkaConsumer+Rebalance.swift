import CRdKafka
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Primitives

extension KafkaConsumer {
    /// Serves a rebalance on the poll thread (docs/kafka-layer.md, traps 5 and 6).
    func handleRebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = RDKafkaPartitionList.partitions(list)
        // NULL while the group is being torn down (a rebalance served during close): fall back
        // to the configured strategy rather than trap.
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" }
            ?? (configuration.assignmentStrategy == .cooperativeSticky)
        // The rebalance is being served: background commits carry the new generation from here.
        defer { state.withLock { $0.commitsSuspendedUntil = nil } }
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            state.withLock { $0.assign(partitions) }
            statistics.assigned(partitions)
            let waiters = lifecycle.withLock { lifecycle in
                lifecycle.everAssigned = true
                defer { lifecycle.assignmentWaiters.removeAll() }
                return lifecycle.assignmentWaiters
            }
            waiters.forEach { $0.resume(with: true) }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { logFailure(KafkaError(consuming: error), "assign") }
            } else {
                let result = rd_kafka_assign(rk, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logFailure(KafkaError(result), "assign") }
            }
            state.withLock { state in
                // New partitions join a flow-control pause already in force.
                guard state.pausedForFlowControl, !partitions.isEmpty else { return }
                RDKafkaPartitionList.with(partitions) { _ = rd_kafka_pause_partitions(rk, $0) }
            }
            logger.info("partitions assigned", metadata: [KafkaLogKey.partitions: "\(partitions)"])
            // Awaited (bounded), so that no record of these partitions reaches the reader before
            // the listener knows it owns them, and an assignment is never told after a later
            // revocation of the same partitions.
            if let listener {
                waitForListener(timeout: configuration.revocationTimeout) {
                    await listener.partitionsAssigned(partitions)
                }
            }

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            revoke(partitions, lost: lost, rk)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { logFailure(KafkaError(consuming: error), "unassign") }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }

        default:
            logFailure(KafkaError(err), "rebalance")
            revoke(Array(state.withLock { $0.partitions.keys }), lost: true, rk)
            _ = rd_kafka_assign(rk, nil)
        }
    }

    /// Lets the listener drain, then commits what is done unless the partitions are already
    /// lost, and forgets them: later results for them are ignored through their epoch.
    private func revoke(_ partitions: [KafkaTopicPartition], lost: Bool, _ rk: OpaquePointer) {
        guard !partitions.isEmpty else { return }
        logger.info("partitions revoked", metadata: [KafkaLogKey.partitions: "\(partitions)", "lost": "\(lost)"])
        // Their lag and offsets are the next owner's to report from now: both members
        // reporting them would count them twice in any sum over the group.
        statistics.revoked(partitions)
        // Records of these partitions not yet handed out will never be: drop them first.
        state.withLock { $0.dropUnread(partitions) }
        if let listener {
            waitForListener(timeout: configuration.revocationTimeout) {
                await listener.partitionsRevoked(partitions, lost: lost)
            }
        }
        let commits = state.withLock { $0.revoke(partitions) }
        guard !lost, !commits.isEmpty else { return }
        commitBlocking(commits, rk, what: "commit of revoked partitions")
    }

    /// Commits synchronously on the poll thread, retrying transient refusals a few times: the
    /// next owner starts from what is committed here, so a lost commit means repeated work.
    func commitBlocking(_ commits: [KafkaTopicPartition: Int64], _ rk: OpaquePointer, what: String) {
        var attempt = 0
        while true {
            attempt += 1
            let err = RDKafkaPartitionList.with(commits) { rd_kafka_commit(rk, $0, 0) }
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.debug("\(what) done", metadata: [KafkaLogKey.partitions: "\(commits)"])
                return
            }
            let error = KafkaError(err)
            guard error.isRetriable, attempt < 4 else {
                failedCommits.withLock { $0 += 1 }
                logFailure(error, what)
                return
            }
            usleep(UInt32(50_000 * attempt))
        }
    }

    /// Blocks the poll thread (never a pool thread) until `body` finishes or `timeout` passes.
    private func waitForListener(timeout: Duration, _ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        let milliseconds = Int(timeout.milliseconds)
        if done.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut {
            logger.warning("rebalance listener did not finish within \(timeout); handing the partitions over anyway")
        }
    }

    func logFailure(_ error: KafkaError, _ what: String) {
        logger.error("\(what) failed: \(error)", metadata: [KafkaLogKey.error: "\(error.name)"])
    }
}
