#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import JSON
import Kafka
import KafkaEmbedded
import Logging
import MessageCentral
import MessageCentralSandbox
import OTPEvents
import OTPWorker
import Primitives

/// The demo's scenario: publishes inputs, waits for the worker's outcomes and prints both.
struct DemoFlow {
    let cluster: EmbeddedKafkaCluster
    let sandbox: SandboxHandle
    let topics: WorkerTopics
    let timeout: Duration
    let worker: OTPWorkerService
    let producer: KafkaProducer
    let observer: KafkaConsumer
    let seen = DemoOutputs()

    /// Short fetch waits: the embedded brokers hold empty fetches for the whole wait.
    static let snappy = ["fetch.wait.max.ms": "10", "heartbeat.interval.ms": "200"]

    init(cluster: EmbeddedKafkaCluster, sandbox: SandboxHandle, provider: any VerificationProvider,
         topics: WorkerTopics, timeout: Duration) throws {
        self.cluster = cluster
        self.sandbox = sandbox
        self.topics = topics
        self.timeout = timeout
        var configuration = WorkerConfiguration(instanceID: "demo-\(ProcessInfo.processInfo.processIdentifier)")
        configuration.providerDeadline = .seconds(10)
        configuration.shutdownDeadline = .seconds(10)
        // As `otp-worker run` has it: the fraud guard at its defaults.
        configuration.guardPolicy = GuardPolicy()
        var consumer = KafkaConsumerConfiguration(
            bootstrapServers: cluster.bootstrapServers, groupID: "otp-worker-demo", sessionTimeout: .seconds(6),
            commitInterval: .milliseconds(200), properties: Self.snappy)
        consumer.client.clientID = "otp-worker-demo"
        worker = try OTPWorkerService(
            configuration: configuration, consumerConfiguration: consumer,
            producerConfiguration: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1)),
            provider: provider, logger: Logger(label: "otp-worker"))
        producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1)),
            logger: Logger(label: "demo.producer"))
        observer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: nil, properties: Self.snappy),
            logger: Logger(label: "demo.observer"))
    }

    /// Plays the scenario; true when every expected outcome arrived.
    func run() async -> Bool {
        print("otp-worker demo")
        print("  Kafka     embedded, 3 brokers at \(cluster.bootstrapServers), 7 topics of 3 partitions")
        print("  provider  sandbox at \(sandbox.baseURL)")
        print("  worker    group otp-worker-demo, reading \(topics.requested) and \(topics.submitted)")
        print("")
        let workerTask = Task { try await worker.run() }
        let readerTask = startObserving()
        let passed: Bool
        do {
            try await scenario()
            passed = true
        } catch {
            print("\n✘ \(error)")
            passed = false
        }
        worker.stop()
        _ = try? await workerTask.value
        await observer.close(timeout: .seconds(5))
        readerTask.cancel()
        await producer.close(timeout: .seconds(5))
        if passed {
            let stats = sandbox.stats
            print("\n✔ every input got exactly one outcome; the sandbox saw \(stats.sends) sends and \(stats.validations) validations")
        }
        return passed
    }

    private func scenario() async throws {
        let people = [("alice", "9876543210"), ("bob", "9123456780"), ("carol", "9988776655")]
        print("1. Three sign-ins ask for a code")
        for (name, number) in people {
            try await publish(topics.requested, key: "login-\(name)",
                              json: #"{"requestId":"login-\#(name)","countryCode":"91","mobileNumber":"\#(number)","metadata":{"user":"\#(name)"}}"#,
                              note: "to \(PhoneNumberMask.mask(countryCode: "91", nationalNumber: number)) by SMS")
        }
        var verifications: [String: String] = [:]
        for (name, _) in people {
            let sent = try await expect(topics.sent, key: "login-\(name)")
            verifications[name] = sent.string("verificationId")
        }

        print("\n2. The codes arrive (read from the sandbox's control surface; not printed)")
        var codes: [String: String] = [:]
        for (name, _) in people {
            guard let id = verifications[name], let code = sandbox.lastCode(verificationId: id) else { throw DemoError("no code for \(name)") }
            codes[name] = code
            print("   \(name): verification \(id), a \(code.count)-digit code")
        }

        print("\n3. Alice types the right code, Bob a wrong one")
        let wrong = codes["bob"] == "0000" ? "1111" : "0000"
        try await publish(topics.submitted, key: "login-alice",
                          json: #"{"verificationId":"\#(verifications["alice"]!)","code":"\#(codes["alice"]!)","requestId":"login-alice","submissionId":"alice-1"}"#,
                          note: "the right code")
        try await publish(topics.submitted, key: "login-bob",
                          json: #"{"verificationId":"\#(verifications["bob"]!)","code":"\#(wrong)","requestId":"login-bob","submissionId":"bob-1"}"#,
                          note: "a wrong code")
        _ = try await expect(topics.verified, key: "login-alice")
        _ = try await expect(topics.failed, key: "login-bob")

        print("\n4. Carol's app retries its request (same requestId): the first outcome again, no second SMS")
        let sendsBefore = sandbox.stats.sends
        try await publish(topics.requested, key: "login-carol",
                          json: #"{"requestId":"login-carol","countryCode":"91","mobileNumber":"9988776655"}"#, note: "a repeat")
        _ = try await expect(topics.sent, key: "login-carol", count: 2)
        guard sandbox.stats.sends == sendsBefore else { throw DemoError("the repeat reached the provider") }

        print("\n5. A buggy backend publishes something that is not an OTP request")
        try await publish(topics.requested, key: "oops", json: #"{"requestId":"oops","countryCode":"+91","mobileNumber":"98-76"}"#,
                          note: "a malformed event")
        _ = try await expect(topics.failed, key: "oops")
        _ = try await expect(topics.deadLetter, key: "oops")
    }

    private func publish(_ topic: String, key: String, json: String, note: String) async throws {
        _ = try await producer.send(KafkaProducerRecord(topic: topic, key: Array(key.utf8), value: Array(json.utf8)))
        print("   → \(topic.padding(14)) key=\(key.padding(12)) \(note)")
    }

    /// Waits for the `count`-th output on `topic` with `key`, and prints it.
    private func expect(_ topic: String, key: String, count: Int = 1) async throws -> DemoOutputs.Output {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let matching = seen.all.filter { $0.topic == topic && $0.key == key }
            if matching.count >= count {
                let output = matching[count - 1]
                print("   ← \(topic.padding(14)) key=\(key.padding(12)) \(output.summary)")
                return output
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DemoError("no \(topic) for key \(key) within \(timeout)")
    }

    private func startObserving() -> Task<Void, Never> {
        var assignment: [KafkaTopicPartition: KafkaOffset] = [:]
        for topic in [topics.sent, topics.verified, topics.failed, topics.deadLetter] {
            for partition in 0..<3 { assignment[KafkaTopicPartition(topic: topic, partition: Int32(partition))] = .beginning }
        }
        try? observer.assign(assignment)
        let observer = self.observer, seen = self.seen
        return Task {
            do {
                for try await record in observer.records { seen.append(record) }
            } catch {}
        }
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Outputs the demo saw, readable from its waiting loop.
final class DemoOutputs: Sendable {
    struct Output: Sendable {
        let topic: String
        let key: String?
        let fields: [String: String]
        let headers: [String: String]

        func string(_ name: String) -> String? { fields[name] }

        /// One line a person wants to read.
        var summary: String {
            switch topic {
            case "otp.sent": "verificationId=\(fields["verificationId"] ?? "?") valid \(fields["timeoutSeconds"] ?? "?")s"
            case "otp.verified": "verified at \(fields["verifiedAt"] ?? "?")"
            case "otp.failed":
                "stage=\(fields["stage"] ?? "?") reason=\(fields["reason"] ?? "?") retryable=\(fields["retryable"] ?? "?") — \(fields["message"] ?? "")"
            default:
                "original bytes kept; \(headers.keys.filter { $0.hasPrefix("otp.errors.") }.count) otp.errors.* headers (reason \(headers["otp.errors.reason"] ?? "?"))"
            }
        }
    }

    private let outputs = Locked<[Output]>([])

    func append(_ record: KafkaConsumerRecord) {
        var fields: [String: String] = [:]
        if let value = record.value, let object = JSONValue(parsing: value)?.objectValue {
            for (name, value) in object {
                switch value {
                case .string, .integer, .double, .bool: fields[name] = value.displayText
                default: break
                }
            }
        }
        var headers: [String: String] = [:]
        for header in record.headers { headers[header.name] = header.stringValue }
        let output = Output(topic: record.topic, key: record.key.map { String(decoding: $0, as: UTF8.self) }, fields: fields, headers: headers)
        outputs.withLock { $0.append(output) }
    }

    var all: [Output] { outputs.withLock { $0 } }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
