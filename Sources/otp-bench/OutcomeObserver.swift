import Foundation
import Kafka
import Primitives

/// Reads the output topics of one run from the beginning (no group) and records, for every
/// measured request, the time from its produce to its outcome's arrival here.
final class OutcomeObserver: Sendable {
    struct Snapshot: Sendable {
        var measured = 0
        var warmups = 0
        var duplicates = 0
        var byTopic: [String: Int] = [:]
        var lastArrival: UInt64 = 0
        var latencies: [UInt64] = []
        var failedSamples: [String] = []
    }

    private struct State {
        var snapshot = Snapshot()
        var seen: [Bool]
    }

    private let consumer: KafkaConsumer
    private let state: Locked<State>
    private let reader: Locked<Task<Void, Never>?> = Locked(nil)

    /// - Parameters:
    ///   - measuredPrefix: keys "PREFIX-INDEX" are measured; any other key counts as warm-up.
    init(brokers: String, topics: [String], partitions: Int, measuredPrefix: String, expected: Int, stamps: SendStamps) throws {
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers, groupID: nil, properties: ["fetch.wait.max.ms": "5"])
        consumer = try KafkaConsumer(configuration: configuration, logger: quietLogger("otp-bench.observer"))
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        for topic in topics {
            for partition in 0..<partitions { assignment[KafkaTopicPartition(topic: topic, partition: Int32(partition))] = .beginning }
        }
        try consumer.assign(assignment)
        state = Locked(State(seen: [Bool](repeating: false, count: expected)))
        let consumer = self.consumer
        let prefix = Array((measuredPrefix + "-").utf8)
        let task = Task { [self] in
            do {
                for try await record in consumer.records {
                    let arrival = monotonicNanoseconds()
                    let index = Self.index(of: record.key, prefix: prefix)
                    let sent = index.map { stamps.get($0) }
                    self.state.withLock { state in
                        state.snapshot.byTopic[record.topic, default: 0] += 1
                        if record.topic.hasSuffix("failed"), state.snapshot.failedSamples.count < 3, let value = record.value {
                            state.snapshot.failedSamples.append(String(decoding: value.prefix(300), as: UTF8.self))
                        }
                        guard let index, index < state.seen.count, let sent else {
                            state.snapshot.warmups += 1
                            return
                        }
                        if state.seen[index] {
                            state.snapshot.duplicates += 1
                            return
                        }
                        state.seen[index] = true
                        state.snapshot.measured += 1
                        state.snapshot.lastArrival = arrival
                        state.snapshot.latencies.append(arrival &- sent)
                    }
                }
            } catch {}
        }
        reader.withLock { $0 = task }
    }

    private static func index(of key: [UInt8]?, prefix: [UInt8]) -> Int? {
        guard let key, key.count > prefix.count, key.starts(with: prefix) else { return nil }
        var value = 0
        for byte in key[prefix.count...] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Polls until `done` holds; false at `timeout`, or when `abort` says the run cannot finish.
    func wait(
        timeout: Duration, abort: () -> Bool = { false }, until done: (Snapshot) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ done($0.snapshot) }) { return true }
            if abort() { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func close() async {
        await consumer.close(timeout: .seconds(5))
        reader.withLock { $0 }?.cancel()
    }
}
