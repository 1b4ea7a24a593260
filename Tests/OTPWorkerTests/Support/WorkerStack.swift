import Foundation
import Kafka
import KafkaTestSupport
import Logging
import MessageCentral
import MessageCentralSandbox
import Metrics
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// Options that make the embedded cluster answer quickly and rebalance quickly; harmless on a
/// real cluster.
let fastConsumerOptions = [
    "fetch.wait.max.ms": "10",
    "heartbeat.interval.ms": "100",
    "topic.metadata.refresh.interval.ms": "1000",
]

/// One end-to-end environment in the test process: a test cluster (embedded, or external with
/// names of the test's own) with the worker's seven topics, the provider sandbox on loopback, a
/// producer for inputs and a reader of every output topic. Workers are started with
/// `startWorker` and stopped by the stack at the end.
final class WorkerStack: Sendable {
    let cluster: TestKafkaCluster
    let sandbox: SandboxHandle
    let sandboxConfiguration: SandboxConfiguration
    /// The worker's topics under this test's names; every worker of the stack uses them.
    let topics: WorkerTopics
    let partitions: Int
    let producer: KafkaProducer
    let outputs: OutputCollector
    let logs: LogCapture
    let group: String
    private let workers = Locked<[RunningWorker]>([])
    /// Every provider client made here, shut down with the stack.
    private let providers = Locked<[MessageCentralClient]>([])

    init(cluster: TestKafkaCluster, sandbox: SandboxHandle, sandboxConfiguration: SandboxConfiguration,
         partitions: Int, logs: LogCapture) throws {
        self.cluster = cluster
        self.topics = WorkerTopics.named(on: cluster)
        self.sandbox = sandbox
        self.sandboxConfiguration = sandboxConfiguration
        self.partitions = partitions
        self.logs = logs
        self.group = "otp-worker-" + UUID().uuidString.prefix(8)
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1))
        producerConfiguration.maxMessageBytes = 4 * 1_048_576
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logs.logger(label: "test.producer"))
        self.outputs = try OutputCollector(bootstrapServers: cluster.bootstrapServers, topics: topics, partitions: partitions, logger: logs.logger(label: "test.outputs"))
    }

    /// A provider client pointed at the sandbox, with test-sized timeouts.
    func makeProvider(deadline: Duration = .seconds(10), password: String? = nil) throws -> MessageCentralClient {
        // One attempt may take a third of the deadline: slow enough for a loaded test machine.
        let requestTimeout = max(.seconds(1), deadline / 3)
        let configuration = MessageCentralConfiguration(
            baseURL: sandbox.baseURL, customerID: sandboxConfiguration.customerID,
            password: Secret(password ?? sandboxConfiguration.password),
            connectTimeout: .seconds(1), requestTimeout: requestTimeout, callDeadline: deadline,
            retry: .exponentialJitter(base: .milliseconds(20), max: .milliseconds(200)),
            maximumConnectionsPerHost: 256)
        let client = try MessageCentralClient(configuration: configuration, logger: logs.logger(label: "test.provider"))
        providers.withLock { $0.append(client) }
        return client
    }

    /// Starts a worker in this stack's group and returns once it owns partitions.
    @discardableResult
    func startWorker(
        provider: (any VerificationProvider)? = nil,
        instance: String = "w\(Int.random(in: 1000...9999))",
        waitForAssignment: Bool = true,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        configure: (inout WorkerConfiguration) -> Void = { _ in }
    ) async throws -> RunningWorker {
        var configuration = WorkerConfiguration(instanceID: instance)
        configuration.topics = topics
        // Generous: a loaded CI machine must not turn a slow answer into a timeout and a resend.
        configuration.providerDeadline = .seconds(10)
        configuration.shutdownDeadline = .seconds(20)
        configuration.probeBackoff = .milliseconds(100)...(.milliseconds(500))
        configure(&configuration)
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: cluster.bootstrapServers, groupID: group, sessionTimeout: .seconds(6),
            commitInterval: .milliseconds(100), revocationTimeout: .seconds(5), properties: fastConsumerOptions)
        consumerConfiguration.client.clientID = "otp-worker-\(instance)"
        let producerConfiguration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers, linger: .milliseconds(1))
        let readiness = ReadinessState()
        let service = try OTPWorkerService(
            configuration: configuration, consumerConfiguration: consumerConfiguration,
            producerConfiguration: producerConfiguration, provider: provider ?? (try makeProvider(deadline: configuration.providerDeadline)),
            readiness: readiness, logger: logs.logger(label: "otp-worker.\(instance)"), metricsFactory: metricsFactory)
        let task = Task { try await service.run() }
        let worker = RunningWorker(service: service, task: task, readiness: readiness)
        workers.withLock { $0.append(worker) }
        if waitForAssignment {
            do {
                try await eventually("worker \(instance) owns partitions") { !service.consumer.assignment.isEmpty }
            } catch {
                logs.dump()
                throw error
            }
        }
        return worker
    }

    /// Publishes an input record and waits for the brokers' acknowledgement.
    @discardableResult
    func publish(
        _ topic: String, key: String?, json: String, headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) async throws -> KafkaDeliveryReport {
        try await publish(topic, key: key.map { Array($0.utf8) }, value: Array(json.utf8), headers: headers, timestamp: timestamp)
    }

    @discardableResult
    func publish(
        _ topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) async throws -> KafkaDeliveryReport {
        try await producer.send(KafkaProducerRecord(topic: topic, key: key, value: value, headers: headers, timestampMilliseconds: timestamp))
    }

    /// Stops every worker and the clients.
    func close() async {
        for worker in workers.withLock({ $0 }) { await worker.stop() }
        await outputs.close()
        await producer.close(timeout: .seconds(5))
        for provider in providers.withLock({ $0 }) { await provider.shutdown() }
    }
}

/// A worker running in the test process.
struct RunningWorker: Sendable {
    let service: OTPWorkerService
    let task: Task<Void, any Error>
    let readiness: ReadinessState

    /// Graceful stop; waits for `run` to return.
    func stop() async {
        service.stop()
        _ = try? await task.value
    }
}

/// Runs `body` with a fresh stack; everything is stopped however `body` ends.
func withWorkerStack<T: Sendable>(
    partitions: Int = 3,
    sandbox sandboxConfiguration: SandboxConfiguration = SandboxConfiguration(port: 0, password: stackPassword),
    _ body: (WorkerStack) async throws -> T
) async throws -> T {
    var sandboxConfiguration = sandboxConfiguration
    sandboxConfiguration.host = SandboxConfiguration.isolatedLoopbackHost()
    let logs = LogCapture()
    logs.noteSecret(sandboxConfiguration.password)
    logs.noteSecret(Data(sandboxConfiguration.password.utf8).base64EncodedString())
    var topics: [String: Int] = [:]
    for topic in WorkerTopics().all {
        topics[topic] = partitions
    }
    let configs = WorkerTopics.externalConfigs(partitions: partitions)
    return try await withTestCluster(brokers: 3, topics: topics, configs: configs) { cluster in
        try await withSandbox(sandboxConfiguration) { handle in
            let stack = try WorkerStack(cluster: cluster, sandbox: handle, sandboxConfiguration: sandboxConfiguration,
                                        partitions: partitions, logs: logs)
            do {
                let result = try await body(stack)
                await stack.close()
                logs.expectNoSecrets()
                return result
            } catch {
                // A wait that timed out: the worker's notable lines (warnings, failures,
                // rebalances, commits) say why, which a loaded machine rarely lets one reproduce.
                if error is TimedOut { logs.dump() }
                await stack.close()
                throw error
            }
        }
    }
}

/// The provider password of the stacks' sandboxes: distinctive, so a leak is found.
let stackPassword = "Pw-Stack+Secret/42"

/// A fresh 10-digit national number, so sends do not trip the sandbox's per-number limits.
func freshMobileNumber() -> String {
    "9" + String(Int.random(in: 100_000_000...999_999_999))
}
