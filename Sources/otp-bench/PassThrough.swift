import Foundation
import Kafka
import KafkaEmbedded
import Synchronization

/// Baseline (a), the Kafka ceiling: the same requests, topics and partition counts, consumed
/// and answered with one output each through our wrapper, with no decoding and no provider
/// call. Like the worker, a record is marked done once its output is acknowledged, and the
/// clients have the worker's production defaults (plus the same fetch wait).
/// Runs in this process, measured exactly like the worker scenarios.
func runPassThrough(rate: Int? = nil, in environment: BenchEnvironment) async throws -> RunResult {
    let options = environment.options
    let brokers = environment.cluster.bootstrapServers
    let run = rate == nil ? "pt" : "pp"
    let topics = RunTopics(prefix: run)
    for topic in topics.all { try environment.cluster.createTopic(topic, partitions: options.partitions) }
    let count = options.requests
    let stamps = SendStamps(count: count)
    let observer = try OutcomeObserver(
        brokers: brokers, topics: topics.outputs, partitions: options.partitions,
        measuredPrefix: run, expected: count, stamps: stamps)
    let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(
        bootstrapServers: brokers, groupID: "otp-bench-\(run)", properties: ["fetch.wait.max.ms": "5"]),
        logger: quietLogger("otp-bench.pass-through"))
    let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(
        bootstrapServers: brokers), logger: quietLogger("otp-bench.pass-through"))
    try consumer.subscribe(topics: [topics.requested, topics.submitted])
    let output = topics.sent
    let relay = Task {
        do {
            for try await record in consumer.records {
                // An output the size of an otp.sent, with the worker's CloudEvents headers.
                let reply = KafkaProducerRecord(
                    topic: output, key: record.key, value: passThroughValue,
                    headers: passThroughHeaders + record.headers.filter { $0.name == "traceparent" })
                while true {
                    do {
                        try producer.enqueue(reply) { result in
                            if case .success = result { consumer.markDone(record) }
                        }
                        break
                    } catch {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
        } catch {}
    }
    defer { relay.cancel() }

    let name = rate.map { "(a) Kafka pass-through \($0)/s paced" } ?? "(a) Kafka pass-through burst"
    var result = RunResult(name: name, requests: count, throughput: 0, latencies: [], benchCores: 0, produceRate: 0, complete: false)
    let warmupCount = min(options.warmup, count)
    _ = try await produceRequests(environment.producer, topic: topics.requested, factory: RequestFactory(prefix: "w" + run, block: 7), count: warmupCount)
    guard await observer.wait(timeout: .seconds(120), until: { $0.warmups >= warmupCount }) else {
        throw BenchError("pass-through: warm-up outputs did not arrive")
    }
    let benchBefore = selfCPU()
    let produced = try await produceRequests(
        environment.producer, topic: topics.requested, factory: RequestFactory(prefix: run, block: 8),
        count: count, rate: rate, stamps: stamps)
    result.complete = await observer.wait(timeout: .seconds(60 + count / 100), until: { $0.measured >= count })
    let benchAfter = selfCPU()
    let snapshot = observer.snapshot
    let window = Double(snapshot.lastArrival &- produced.first) / 1e9
    result.produceRate = Double(count) / max(produced.seconds, 1e-9)
    if result.complete { result.throughput = Double(count) / window } else { result.notes.append("incomplete: \(snapshot.measured) of \(count)") }
    result.latencies = snapshot.latencies.sorted()
    // Paced runs only: in a burst, later requests wait behind earlier ones by design.
    if rate != nil { result.notes.append("p99 ms by fifth of the run, in arrival order: " + p99ByFifth(snapshot.latencies)) }
    result.benchCores = (benchAfter - benchBefore).seconds / window
    result.notes.append(describe(snapshot, topics: topics))
    await consumer.close(timeout: .seconds(5))
    await producer.close(timeout: .seconds(5))
    await observer.close()
    return result
}

/// About the size of an `otp.sent` value (~330 bytes).
private let passThroughValue = Array(
    #"{"requestId":"pt-0000000","verificationId":"1234567","countryCode":"91","mobileNumber":"9100000000","flowType":"SMS","timeoutSeconds":60,"transactionId":"bench-transaction-0000000000","sentAt":"2026-11-26T20:00:00.000Z","metadata":{"userId":"u-0000000","benchSentNs":"000000000000000"}}"#.utf8)

/// The worker's output headers, with fixed values.
private let passThroughHeaders = [
    KafkaHeader(name: "ce_specversion", string: "1.0"),
    KafkaHeader(name: "ce_type", string: "otp.sent"),
    KafkaHeader(name: "ce_source", string: "urn:otp-worker:bench-pt"),
    KafkaHeader(name: "ce_id", string: "00000000-0000-0000-0000-000000000000"),
    KafkaHeader(name: "ce_time", string: "2026-11-26T20:00:00.000Z"),
    KafkaHeader(name: "content-type", string: "application/json"),
    KafkaHeader(name: "otp_causation_id", string: "in-pt-0000000"),
]
