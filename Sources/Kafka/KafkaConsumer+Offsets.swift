import CRdKafka
import Primitives

extension KafkaConsumer {
    /// Commits the finished offsets of every owned partition now and waits for the result.
    /// - Throws: `KafkaError` when the group coordinator refused; the offsets stay pending.
    public func commit() async throws(KafkaError) {
        guard configuration.groupID != nil else { throw .state("a consumer without a group id has nothing to commit to") }
        let commits = state.withLock { $0.takeCommits() }
        guard !commits.isEmpty else { return }
        let handle = self.handle
        let err = await DedicatedThread.run(name: "rdkafka-commit") {
            RDKafkaPartitionList.with(commits) { rd_kafka_commit(handle.pointer, $0, 0) }
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            state.withLock { $0.commitFailed(commits) }
            throw KafkaError(err)
        }
    }

    /// The offsets committed for `partitions` in the group (absent: none committed).
    public func committedOffsets(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let handle = self.handle
        let result: Result<[KafkaTopicPartition: Int64], KafkaError> = await DedicatedThread.run(name: "rdkafka-committed") {
            RDKafkaPartitionList.with(partitions) { list in
                let err = rd_kafka_committed(handle.pointer, list, Int32(clamping: timeout.milliseconds))
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(err)) }
                let (offsets, failed) = RDKafkaPartitionList.read(list)
                return .success(offsets.filter { $0.value >= 0 && failed[$0.key] == nil })
            }
        }
        return try result.get()
    }

    /// The oldest and next offsets of a partition, as the brokers know them now.
    public func watermarks(_ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let handle = self.handle
        let result: Result<(low: Int64, high: Int64), KafkaError> = await DedicatedThread.run(name: "rdkafka-watermarks") {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                handle.pointer, partition.topic, partition.partition, &low, &high, Int32(clamping: timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(err)) }
            return .success((low, high))
        }
        return try result.get()
    }

    /// For each partition, the first offset whose timestamp is at or after `timestampMilliseconds`
    /// (the end offset when there is none).
    public func offsets(forTimestamp timestampMilliseconds: Int64, partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let handle = self.handle
        let query = Dictionary(uniqueKeysWithValues: partitions.map { ($0, timestampMilliseconds) })
        let result: Result<[KafkaTopicPartition: Int64], KafkaError> = await DedicatedThread.run(name: "rdkafka-offsets-for-times") {
            RDKafkaPartitionList.with(query) { list in
                let err = rd_kafka_offsets_for_times(handle.pointer, list, Int32(clamping: timeout.milliseconds))
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(err)) }
                let (offsets, failed) = RDKafkaPartitionList.read(list)
                if let error = failed.values.first { return .failure(error) }
                return .success(offsets)  // no failures: every offset is a result
            }
        }
        return try result.get()
    }

    /// Moves an owned partition to `offset`. Records of it buffered but not handed out are
    /// dropped, and results of records read before are ignored (a new epoch).
    /// - Throws: `KafkaError` with `_STATE` for a partition this consumer does not own.
    public func seek(_ partition: KafkaTopicPartition, to offset: KafkaOffset) async throws(KafkaError) {
        let handle = self.handle
        let state = self.state
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            // Runs between two polls so no record from before the seek slips in after it.
            let queued = enqueueOnPollThread {
                guard state.withLock({ $0.partitions[partition] != nil }) else {
                    continuation.resume(returning: .failure(.state("seek: \(partition) is not assigned to this consumer")))
                    return
                }
                state.withLock { $0.restart(partition) }
                let outcome: Result<Void, KafkaError> = RDKafkaPartitionList.with([partition: offset.rawOffset]) { list in
                    // Timeout 0: 2.0.2 honours only a thousandth of any other value
                    // (docs/kafka-layer.md, trap 12).
                    if let error = rd_kafka_seek_partitions(handle.pointer, list, 0) {
                        return .failure(KafkaError(consuming: error))
                    }
                    // With timeout 0 the seek is asynchronous: _IN_PROGRESS means it was accepted.
                    let inProgress = Int32(RD_KAFKA_RESP_ERR__IN_PROGRESS.rawValue)
                    if let failure = RDKafkaPartitionList.read(list).failed.values.first(where: { $0.code != inProgress }) {
                        return .failure(failure)
                    }
                    return .success(())
                }
                continuation.resume(returning: outcome)
            }
            if !queued { continuation.resume(returning: .failure(.state("seek: the consumer is closing"))) }
        }
        try result.get()
    }

    /// Queues `command` for the poll thread; false once close was asked for (the poll thread
    /// runs what was queued before that, then never again).
    func enqueueOnPollThread(_ command: @escaping @Sendable () -> Void) -> Bool {
        lifecycle.withLock { lifecycle in
            guard !lifecycle.closeRequested else { return false }
            commands.withLock { $0.append(command) }
            if lifecycle.mayWake { consumerQueue.wake() }
            return true
        }
    }

    func runCommands() {
        let pending = commands.withLock { list in
            defer { list = [] }
            return list
        }
        for command in pending { command() }
    }
}

extension KafkaConsumer {
    /// How many partitions `topic` has, from the brokers' metadata (for tools that read a
    /// whole topic without a group, such as replay).
    /// - Throws: `KafkaError` when the brokers do not answer in time or do not know the topic.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> Int {
        let handle = self.handle
        let result: Result<Int, KafkaError> = await DedicatedThread.run(name: "rdkafka-metadata") {
            guard let rkt = rd_kafka_topic_new(handle.pointer, topic, nil) else {
                return .failure(.state("cannot name topic \(topic)"))
            }
            defer { rd_kafka_topic_destroy(rkt) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.pointer, 0, rkt, &metadata, Int32(clamping: timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { return .failure(KafkaError(err)) }
            defer { rd_kafka_metadata_destroy(metadata) }
            guard metadata.pointee.topic_cnt == 1, let entry = metadata.pointee.topics?.pointee else {
                return .failure(.state("no metadata for topic \(topic)"))
            }
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(entry.err)) }
            return .success(Int(entry.partition_cnt))
        }
        return try result.get()
    }
}

extension KafkaConsumer {
    /// The value librdkafka holds for configuration property `name` (what the client really
    /// runs with, after defaults and overrides), or nil for an unknown or unset property.
    public func configurationValue(_ name: String) -> String? {
        guard let configuration = rd_kafka_conf(handle.pointer) else { return nil }
        var size = 0
        guard rd_kafka_conf_get(configuration, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var value = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(configuration, name, &value, &size) == RD_KAFKA_CONF_OK else { return nil }
        return value.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
