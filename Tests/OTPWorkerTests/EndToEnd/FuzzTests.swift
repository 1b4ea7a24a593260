import Foundation
import Kafka
import MessageCentralSandbox
import Testing

@testable import OTPWorker

/// A small deterministic generator, so a failing run can be repeated from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Fuzz: random and mutated inputs", .timeLimit(.minutes(3)))
struct FuzzTests {
    static let count = 3000

    static let seeds: [String] = [
        #"{"requestId":"R","countryCode":"91","mobileNumber":"9876543210"}"#,
        #"{"requestId":"R","countryCode":"1","mobileNumber":"5551234","flowType":"WHATSAPP","otpLength":6,"requestedAt":"2030-01-01T00:00:00Z","metadata":{"a":"b"}}"#,
        #"{"verificationId":"123","code":"1234","requestId":"R","submissionId":"S"}"#,
        #"{"specversion":"1.0","id":"x","source":"s","type":"t","data":{"requestId":"R","countryCode":"91","mobileNumber":"9876543210"}}"#,
    ]

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !bytes.isEmpty: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 3 where bytes.count > 2:
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
            case 4: bytes += Array(#","requestId":7,"x":[1,{}],"otpLength":"8""#.utf8).prefix(Int.random(in: 1...30, using: &rng))
            default: bytes = bytes.reversed()
            }
        }
        return bytes
    }

    static func randomInput(
        _ index: Int, _ rng: inout SplitMix64, topics: WorkerTopics
    ) -> (topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) {
        let topic = Bool.random(using: &rng) ? topics.requested : topics.submitted
        var value: [UInt8]?
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: value = nil
        case 1: value = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 2, 3, 4: value = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].replacingOccurrences(of: "R", with: "fz-\(index)").utf8)
        default: value = mutate(Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].replacingOccurrences(of: "R", with: "fz-\(index)").utf8), &rng)
        }
        var headers = [KafkaHeader(name: "ce_id", string: "fuzz-\(index)")]
        if Int.random(in: 0..<4, using: &rng) == 0 {
            let names = ["traceparent", "tracestate", "content-type", "ce_specversion", "ce_type", "", "ce_id"]
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let garbage = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                headers.append(KafkaHeader(name: names[Int.random(in: 0..<names.count, using: &rng)], value: Bool.random(using: &rng) ? garbage : nil))
            }
        }
        let key: [UInt8]? = Int.random(in: 0..<8, using: &rng) == 0 ? nil : Array("k\(Int.random(in: 0..<400, using: &rng))".utf8)
        return (topic, key, value, headers)
    }

    @Test("3000 random and mutated payloads and headers: no crash, every record ends in exactly one outcome, unreadable ones also in the DLQ")
    func fuzz() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("fuzz seed \(seed) (repeat with FUZZ_SEED=\(seed))")
        try await withWorkerStack(sandbox: SandboxConfiguration(port: 0, password: stackPassword, sendLimit: 1_000_000)) { stack in
            try await stack.startWorker { $0.maxInFlight = 128 }
            var rng = SplitMix64(state: seed)
            var inputs: [(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])] = []
            for index in 0..<Self.count { inputs.append(Self.randomInput(index, &rng, topics: stack.topics)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: inputs.count, by: 100) {
                    let slice = Array(inputs[chunk..<min(chunk + 100, inputs.count)])
                    group.addTask {
                        for input in slice {
                            try await stack.publish(input.topic, key: input.key, value: input.value, headers: input.headers)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let outcomeTopics: Set<String> = [stack.topics.sent, stack.topics.verified, stack.topics.failed]
            try await stack.outputs.wait(timeout: .seconds(120), "an outcome for every input, and the DLQ copies") { outputs in
                outputs.filter { outcomeTopics.contains($0.topic) }.count >= Self.count
                    && outputs.filter { $0.topic == stack.topics.deadLetter }.count
                        >= outputs.filter { $0.topic == stack.topics.failed && $0.string("stage") == "decode" }.count
            }
            let outputs = stack.outputs.all
            let outcomes = outputs.filter { outcomeTopics.contains($0.topic) }
            let decodeFailures = outcomes.filter { $0.topic == stack.topics.failed && $0.string("stage") == "decode" }
            let letters = outputs.filter { $0.topic == stack.topics.deadLetter }
            #expect(outcomes.count == Self.count, "one outcome per input")
            #expect(letters.count == decodeFailures.count, "every decode failure is dead-lettered, nothing else is")
            print("fuzz: \(outcomes.count) outcomes, \(decodeFailures.count) unreadable, \(outcomes.count - decodeFailures.count) decoded; sandbox saw \(stack.sandbox.stats.total) calls")
        }
    }
}
