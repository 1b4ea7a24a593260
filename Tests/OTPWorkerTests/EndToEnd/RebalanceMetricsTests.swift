import Foundation
import Kafka
import KafkaEmbedded
import KafkaTestSupport
import MessageCentralSandbox
import TestSupport
import Testing

@testable import OTPWorker

/// Per-partition series follow ownership: of two `otp-worker run` processes in one group, each
/// with its own /metrics, never both list a partition once the group has settled, so a sum
/// over the group counts each partition once.
@Suite("Per-partition metrics across a rebalance", .timeLimit(.minutes(3)))
struct RebalanceMetricsTests {
    static let partitions = 4
    /// Every partition of `topic`, as `topic/partition`.
    static func all(_ topic: String) -> Set<String> { Set((0..<partitions).map { "\(topic)/\($0)" }) }

    func spawn(_ name: String, _ stack: WorkerStack) throws -> ChildWorker {
        try stack.spawnWorker(name, arguments: ["--kafka-option", "statistics.interval.ms=200"])
    }

    /// One request on every partition of otp.requested, and waits for their outcomes: each
    /// partition's owner then commits it (librdkafka reports no lag for a partition without a
    /// committed offset).
    func publishRound(_ round: Int, _ stack: WorkerStack) async throws {
        var ids: [String] = []
        for partition in 0..<Self.partitions {
            let id = "rb-\(round)-\(partition)"
            let json = #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#
            _ = try await stack.producer.send(KafkaProducerRecord(
                topic: stack.topics.requested, partition: Int32(partition), key: Array(id.utf8), value: Array(json.utf8)))
            ids.append(id)
        }
        try await stack.outputs.wait(timeout: .seconds(60), "the outcomes of round \(round)") { outputs in
            ids.allSatisfy { id in outputs.contains { $0.string("requestId") == id } }
        }
    }

    /// The partitions of `topic` a /metrics text lists under `name`, as `topic/partition`.
    static func listed(_ name: String, of topic: String, in body: String) -> Set<String> {
        var pairs: Set<String> = []
        for line in body.split(separator: "\n") where line.hasPrefix(name + "{") && line.contains("topic=\"\(topic)\"") {
            guard let start = line.range(of: #"partition=""#)?.upperBound, let end = line[start...].firstIndex(of: "\"") else { continue }
            pairs.insert(topic + "/" + line[start..<end])
        }
        return pairs
    }

    /// The partitions a worker's /metrics lists lag and committed offsets for.
    static func series(of worker: ChildWorker, _ topic: String) async throws -> (lag: Set<String>, committed: Set<String>) {
        try worker.requireRunning()
        guard let port = worker.metricsPort else { return ([], []) }
        let body = try await get("http://127.0.0.1:\(port)/metrics").body
        return (listed("kafka_consumer_lag", of: topic, in: body), listed("kafka_committed_offset", of: topic, in: body))
    }

    /// The partitions a worker lists, when its lag and committed offsets agree on them.
    static func owned(by worker: ChildWorker, _ topic: String) async throws -> Set<String>? {
        let (lag, committed) = try await series(of: worker, topic)
        return lag == committed ? lag : nil
    }

    @Test("a worker that loses partitions to a second one no longer lists them; the two lists never overlap")
    func seriesFollowOwnership() async throws {
        try await withWorkerStack(partitions: Self.partitions) { stack in
            let topic = stack.topics.requested
            let first = try spawn("rb-a", stack)
            try await publishRound(0, stack)
            try await eventually(timeout: .seconds(30), "the only worker lists every partition") {
                try await Self.owned(by: first, topic) == Self.all(topic)
            }
            try await eventually(timeout: .seconds(30), "the producer's statistics beside the consumer's") {
                guard let port = first.metricsPort else { return false }
                let body = try await get("http://127.0.0.1:\(port)/metrics").body
                return body.contains(#"kafka_producer_queue_messages{client="producer"}"#)
                    && body.contains(#"kafka_producer_tx_errors_total{client="producer",broker="#)
            }

            let second = try spawn("rb-b", stack)
            try await eventually(timeout: .seconds(60), "the second worker to own partitions of otp.requested") {
                try second.requireRunning()
                return second.logText.split(separator: "\n").contains { $0.contains("partitions assigned") && $0.contains("\(topic)[") }
            }
            // New records on every partition: each owner commits its own, and reports them.
            try await publishRound(1, stack)
            var lists: (Set<String>, Set<String>) = ([], [])
            try await eventually(timeout: .seconds(30), "each partition listed by exactly one worker") {
                guard let mine = try await Self.owned(by: first, topic), let theirs = try await Self.owned(by: second, topic) else { return false }
                lists = (mine, theirs)
                return mine.isDisjoint(with: theirs) && mine.union(theirs) == Self.all(topic) && !theirs.isEmpty
            }
            #expect(lists.0.count < Self.partitions, "the first worker gave partitions up: \(lists)")

            // More statistics documents later (every 200 ms), which librdkafka still fills with
            // the partitions it gave up: they stay away.
            try await publishRound(2, stack)
            let (mine, theirs) = (try await Self.series(of: first, topic), try await Self.series(of: second, topic))
            #expect(mine.lag.isDisjoint(with: theirs.lag) && mine.committed.isDisjoint(with: theirs.committed), "\(mine) and \(theirs)")
            #expect(mine.lag.isSubset(of: lists.0) && theirs.lag.isSubset(of: lists.1), "\(mine) and \(theirs), owned: \(lists)")

            for worker in [first, second] { worker.terminate() }
            for worker in [first, second] {
                #expect(await worker.waitForExit(timeout: .seconds(20)) == 0, "\(worker.name) stops gracefully")
            }
        }
    }
}
