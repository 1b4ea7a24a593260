import CKafkaBaseline
import Foundation
import Kafka
import KafkaEmbedded
import Synchronization

// kafka-bench: produces and consumes the same number of small records through the Swift
// wrapper and through librdkafka driven directly from C, against one embedded cluster in one
// run, and prints records/s for both and their ratio.
// Usage: kafka-bench [records, 1000000] [value bytes, 100] [rounds, 3]

struct BenchSettings: Sendable {
    var count = 1_000_000
    var valueSize = 100
    var fetchWait = "5"
    var rounds = 3
    /// The embedded cluster keeps about 5 MB per partition and drops the oldest records past
    /// that: 24 partitions hold a million 100-byte records, so the consumers read all of them.
    static let partitions = 24
    /// Same as the C baseline's (baseline.c): the comparison must not hinge on properties only one side sets.
    static let batchSize = "131072"
    static let queuedMinMessages = "1000000"
    /// Same as the C baseline's QUEUED_MAX_KBYTES: with librdkafka's 64 MB, fetching stalls
    /// whenever a reader falls that far behind, on either side, in some runs only
    /// (docs/kafka-layer.md, trap 13).
    static let queuedMaxKilobytes = "1048576"
    static let bufferCapacity = Int(ProcessInfo.processInfo.environment["BENCH_BUFFER"] ?? "") ?? 2048
    /// BENCH_ONLY=produce-swift,…: run only these phases (see `Phase`), for profiling one side.
    static let only = ProcessInfo.processInfo.environment["BENCH_ONLY"]
}

func rate(_ records: Int, _ seconds: Double) -> Double { Double(records) / seconds }

func wrapperProduce(_ brokers: String, topic: String, _ settings: BenchSettings) async throws -> Double {
    let delivered = Counter()
    let failed = Counter()
    // One handler for the producer and a token per record, as the C baseline registers one
    // callback and passes an opaque per message.
    let producer = try KafkaProducer(
        configuration: KafkaProducerConfiguration(bootstrapServers: brokers, properties: ["batch.size": BenchSettings.batchSize]),
        deliveryHandler: { _, result in
            switch result {
            case .success: delivered.increment()
            case .failure: failed.increment()
            }
        })
    let value = [UInt8](repeating: UInt8(ascii: "v"), count: settings.valueSize)
    let start = ContinuousClock.now
    // The key is written into one reused buffer, as the C baseline snprintf()s into one: the
    // producer copies it, so the buffer is uniquely owned again by the next iteration.
    var key: [UInt8] = []
    key.reserveCapacity(24)
    for index in 0..<settings.count {
        writeKey(index, into: &key)
        let record = KafkaProducerRecord(topic: topic, key: key, value: value)
        // librdkafka's queue holds a million records, so enqueue is not expected to refuse;
        // if it does, wait for acknowledgements to make room.
        while !tryEnqueue(producer, record, token: UInt(index)) {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
    try await producer.flush(timeout: .seconds(120))
    let elapsed = ContinuousClock.now - start
    await producer.close()
    guard delivered.value == settings.count else {
        throw KafkaError(code: -1, name: "_BENCH", message: "delivered \(delivered.value) of \(settings.count), \(failed.value) failed")
    }
    return elapsed.seconds
}

/// Writes "k<index>" in decimal into `key`, reusing its storage.
func writeKey(_ index: Int, into key: inout [UInt8]) {
    key.removeAll(keepingCapacity: true)
    key.append(UInt8(ascii: "k"))
    var value = index
    repeat {
        key.append(UInt8(ascii: "0") + UInt8(value % 10))
        value /= 10
    } while value > 0
    key[1...].reverse()  // the digits went in lowest first
}

/// A counter delivery callbacks bump from the producer's poll thread.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

func tryEnqueue(_ producer: KafkaProducer, _ record: KafkaProducerRecord, token: UInt) -> Bool {
    do {
        try producer.enqueue(record, token: token)
        return true
    } catch {
        return false
    }
}

/// How many records the cluster still holds for `topic` (sum of high minus low watermarks).
func retainedRecords(_ brokers: String, topic: String) async throws -> Int {
    let probe = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: nil))
    var total: Int64 = 0
    for partition in Int32(0)..<Int32(BenchSettings.partitions) {
        let marks = try await probe.watermarks(KafkaTopicPartition(topic: topic, partition: partition))
        total += marks.high - marks.low
    }
    await probe.close()
    return Int(total)
}

func wrapperConsume(_ brokers: String, topic: String, _ settings: BenchSettings, batches: Bool) async throws -> Double {
    let configuration = KafkaConsumerConfiguration(
        bootstrapServers: brokers, groupID: "bench-\(UUID().uuidString)", commitInterval: .seconds(1), bufferCapacity: BenchSettings.bufferCapacity,
        properties: [
            "fetch.wait.max.ms": settings.fetchWait, "max.partition.fetch.bytes": "4194304",
            "queued.min.messages": BenchSettings.queuedMinMessages,
            "queued.max.messages.kbytes": BenchSettings.queuedMaxKilobytes,
        ])
    let consumer = try KafkaConsumer(configuration: configuration)
    try consumer.subscribe(topics: [topic])
    var received = 0
    var start = ContinuousClock.now
    if batches {
        for try await batch in consumer.batches() {
            if received == 0 { start = ContinuousClock.now }
            consumer.markDone(batch)
            received += batch.count
            if received >= settings.count { break }
        }
    } else {
        for try await record in consumer.records {
            if received == 0 { start = ContinuousClock.now }
            consumer.markDone(record)
            received += 1
            if received == settings.count { break }
        }
    }
    let elapsed = ContinuousClock.now - start
    await consumer.close()
    return elapsed.seconds
}

/// The measured phases, named as BENCH_ONLY takes them.
enum Phase: String, CaseIterable, Hashable {
    case produceC = "produce-c"
    case produceSwift = "produce-swift"
    case consumeC = "consume-c"
    case consumeSwift = "consume-swift"
    case consumeSwiftBatches = "consume-swift-batches"
}

/// One phase's own timing (what its function returns, in seconds) and the process's CPU time over it.
struct Sample {
    var seconds: Double
    var cpu: Double
}

func measure(_ body: () throws -> Double) throws -> Sample {
    let cpu = cpuSeconds()
    let seconds = try body()
    guard seconds > 0 else { throw KafkaError(code: -1, name: "_BENCH", message: "the C baseline failed (see above)") }
    return Sample(seconds: seconds, cpu: cpuSeconds() - cpu)
}

func measure(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Double) async throws -> Sample {
    let cpu = cpuSeconds()
    let seconds = try await body()
    return Sample(seconds: seconds, cpu: cpuSeconds() - cpu)
}

/// The process's user and system CPU time so far, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

@main
struct KafkaBench {
    static func main() async throws {
        var settings = BenchSettings()
        let arguments = CommandLine.arguments
        if arguments.count > 1, let value = Int(arguments[1]) { settings.count = value }
        if arguments.count > 2, let value = Int(arguments[2]) { settings.valueSize = value }
        if arguments.count > 3, let value = Int(arguments[3]) { settings.rounds = max(1, value) }
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        for round in 0..<settings.rounds {
            for topic in ["bench-c-\(round)", "bench-swift-\(round)"] { try cluster.createTopic(topic, partitions: BenchSettings.partitions) }
        }
        let brokers = cluster.bootstrapServers
        print("kafka-bench: \(settings.count) records of \(settings.valueSize) bytes, 3 embedded brokers, \(BenchSettings.partitions) partitions, best of \(settings.rounds) rounds")

        // Alternate the sides, several rounds, and keep each side's best: drift on a shared
        // 2-core machine then hits both alike. Both consumers read the topic C produced: how
        // records were batched decides how much one fetch returns, so reading different
        // topics would compare the producers instead.
        let named = BenchSettings.only.map { $0.split(separator: ",").map(String.init) } ?? Phase.allCases.map(\.rawValue)
        let phases = Set(named.compactMap(Phase.init))
        guard phases.count == Set(named).count else {
            print("BENCH_ONLY takes a comma-separated list of: \(Phase.allCases.map(\.rawValue).joined(separator: ", "))")
            exit(2)
        }
        var best: [Phase: Sample] = [:]
        var retained = Int.max
        func keep(_ phase: Phase, _ sample: Sample) {
            if sample.seconds < best[phase]?.seconds ?? .infinity { best[phase] = sample }
        }
        let consumes = !phases.isDisjoint(with: [.consumeC, .consumeSwift, .consumeSwiftBatches])
        for round in 0..<settings.rounds {
            let cTopic = "bench-c-\(round)"
            // The consumers read what C produced: produce it even when only a consume phase runs.
            if phases.contains(.produceC) || consumes {
                let sample = try measure { otp_baseline_produce(brokers, cTopic, settings.count, Int32(settings.valueSize)) }
                if phases.contains(.produceC) { keep(.produceC, sample) }
            }
            if phases.contains(.produceSwift) {
                keep(.produceSwift, try await measure { try await wrapperProduce(brokers, topic: "bench-swift-\(round)", settings) })
            }
            guard consumes else { continue }
            // The embedded cluster keeps a bounded log per partition and drops the oldest
            // records of a large topic, so both consumers read exactly what it retained.
            var consume = settings
            consume.count = try await retainedRecords(brokers, topic: cTopic)
            retained = min(retained, consume.count)
            if phases.contains(.consumeC) {
                keep(.consumeC, try measure { otp_baseline_consume(brokers, cTopic, consume.count, settings.fetchWait) })
            }
            if phases.contains(.consumeSwift) {
                keep(.consumeSwift, try await measure { try await wrapperConsume(brokers, topic: cTopic, consume, batches: false) })
            }
            if phases.contains(.consumeSwiftBatches) {
                keep(.consumeSwiftBatches, try await measure { try await wrapperConsume(brokers, topic: cTopic, consume, batches: true) })
            }
        }

        if retained != .max { print("consumed: the \(retained) records the embedded cluster retained of \(settings.count)") }
        print("CPU: the whole process's (both sides share it with the embedded brokers), per record, in the best round")
        let rows: [(String, Phase, Phase, Int)] = [
            ("produce (enqueue)", .produceC, .produceSwift, settings.count),
            ("consume (records)", .consumeC, .consumeSwift, retained),
            ("consume (batches)", .consumeC, .consumeSwiftBatches, retained),
        ]
        print(padded("phase", 20) + padded("C rec/s", 12) + padded("Swift rec/s", 14) + padded("ratio", 8) + "CPU µs/record C, Swift")
        var ratios: [Phase: Double] = [:]
        for (name, baselinePhase, wrapperPhase, count) in rows {
            guard let baseline = best[baselinePhase], let wrapper = best[wrapperPhase] else { continue }
            let ratio = rate(count, wrapper.seconds) / rate(count, baseline.seconds)
            ratios[wrapperPhase] = ratio
            print(
                padded(name, 20) + padded(String(format: "%.0f", rate(count, baseline.seconds)), 12)
                    + padded(String(format: "%.0f", rate(count, wrapper.seconds)), 14) + padded(String(format: "%.2f", ratio), 8)
                    + String(format: "%.2f, %.2f", baseline.cpu * 1e6 / Double(count), wrapper.cpu * 1e6 / Double(count)))
        }
        // Phases run without their counterpart (BENCH_ONLY) get a line of their own.
        let paired = Set(rows.filter { best[$0.1] != nil && best[$0.2] != nil }.flatMap { [$0.1, $0.2] })
        for phase in Phase.allCases where !paired.contains(phase) {
            guard let sample = best[phase] else { continue }
            let count = phase == .produceC || phase == .produceSwift ? settings.count : retained
            print(String(format: "%@: %.0f rec/s, CPU %.2f µs/record", phase.rawValue, rate(count, sample.seconds), sample.cpu * 1e6 / Double(count)))
        }
        // consume_ratio is the batch reader's: the form a throughput-bound reader uses, as the
        // producer side uses `enqueue` rather than awaiting each `send`. The table shows both.
        if let produce = ratios[.produceSwift], let consume = ratios[.consumeSwiftBatches] {
            print(String(format: "produce_ratio=%.2f consume_ratio=%.2f", produce, consume))
        }
        cluster.shutdown()
    }
}
