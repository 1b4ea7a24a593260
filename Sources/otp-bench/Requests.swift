import Dispatch
import Foundation
import Kafka
import Primitives
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Nanoseconds of CLOCK_MONOTONIC (DispatchTime): one clock for send stamps and arrivals, in this process.
func monotonicNanoseconds() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

/// The produce time of every measured request, by index (the index is in the record key).
final class SendStamps: Sendable {
    private let times: Locked<[UInt64]>
    init(count: Int) { times = Locked([UInt64](repeating: 0, count: count)) }
    func set(_ index: Int, _ time: UInt64) { times.withLock { $0[index] = time } }
    func get(_ index: Int) -> UInt64 { times.withLock { $0[index] } }
}

/// `otp.requested` records with distinct keys, request ids and phone numbers.
///
/// The sandbox allows 5 sends per number per 10 minutes and answers 506 while a number has a
/// pending verification, so every request of the whole run gets its own number: block `block`
/// (0...8) owns the numbers 9 1BB xxx xxx x with BB = block.
struct RequestFactory: Sendable {
    /// Key and requestId prefix, e.g. "s1" or "w1" (warm-up); keys are "PREFIX-INDEX".
    let prefix: String
    let block: Int

    func key(_ index: Int) -> [UInt8] { Array("\(prefix)-\(index)".utf8) }

    func mobileNumber(_ index: Int) -> String {
        precondition(index < 10_000_000 && (0...8).contains(block), "too many requests for distinct 10-digit numbers")
        return "9" + String(100_000_000 + block * 10_000_000 + index)
    }

    /// A request as a backend would send it: binary-mode CloudEvents id and a trace parent,
    /// metadata echoed on the outcome (it carries the send time, for a human reading the topics).
    func record(_ index: Int, topic: String, sentNanoseconds: UInt64) -> KafkaProducerRecord {
        let id = "\(prefix)-\(index)"
        let json = #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(mobileNumber(index))","flowType":"SMS","otpLength":4,"metadata":{"userId":"u-\#(index)","benchSentNs":"\#(sentNanoseconds)"}}"#
        let trace = String(format: "00-%032llx-%016llx-01", UInt64(index) &+ 0x4bf9_2f35_77b3_4da6, UInt64(block) &+ 0x00f0_67aa_0ba9_02b7)
        return KafkaProducerRecord(
            topic: topic, key: key(index), value: Array(json.utf8),
            headers: [KafkaHeader(name: "ce_id", string: "in-" + id), KafkaHeader(name: "traceparent", string: trace)])
    }
}

/// What producing the inputs took.
struct ProduceResult: Sendable {
    var first: UInt64
    var last: UInt64
    var refused: Int
    var seconds: Double { Double(last - first) / 1e9 }
}

/// Produces `count` requests, as fast as librdkafka takes them (`rate` nil) or paced at `rate`
/// per second. Stamps each one just before it is handed to the producer.
func produceRequests(
    _ producer: KafkaProducer, topic: String, factory: RequestFactory, count: Int,
    rate: Int? = nil, stamps: SendStamps? = nil
) async throws -> ProduceResult {
    let failures = FailureCount()
    let start = monotonicNanoseconds()
    var first: UInt64 = 0
    for index in 0..<count {
        if let rate {
            let due = start + UInt64(index) * 1_000_000_000 / UInt64(rate)
            let now = monotonicNanoseconds()
            if due > now { try await Task.sleep(for: .nanoseconds(Int64(due - now))) }
        }
        while true {
            let now = monotonicNanoseconds()
            if index == 0 { first = now }
            stamps?.set(index, now)
            do {
                try producer.enqueue(factory.record(index, topic: topic, sentNanoseconds: now)) { result in
                    if case .failure = result { failures.add() }
                }
                break
            } catch {
                // Queue full: wait for acknowledgements to make room.
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }
    return ProduceResult(first: first, last: monotonicNanoseconds(), refused: failures.value)
}

final class FailureCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
