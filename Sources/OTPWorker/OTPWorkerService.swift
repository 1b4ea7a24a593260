#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Kafka
import Logging
import MessageCentral
import Metrics
import OTPEvents
import Primitives
import ServiceLifecycle
import WorkerTracing

/// The OTP worker: consumes `otp.requested` and `otp.submitted`, calls the provider, and
/// publishes `otp.sent`, `otp.verified`, `otp.failed` (and `otp.dlq` for unreadable input).
///
/// A ServiceLifecycle `Service`: `run` works until graceful shutdown (or `stop()`), then stops
/// fetching, finishes or abandons in-flight work within `shutdownDeadline`, commits what is
/// done, leaves the group and flushes the producer.
///
/// Guarantees (docs/events.md, processing rules): one outcome per input record; a record is
/// marked done only after all its outputs are acknowledged; same-key records in order and
/// different keys concurrently up to `maxInFlight`; expiry; idempotency by `requestId` and
/// `submissionId` while remembered; provider outages and refused credentials hold consumption
/// instead of failing the backlog; revoked partitions' work is finished or abandoned before
/// their offsets are committed.
public final class OTPWorkerService: Service, Sendable {
    let configuration: WorkerConfiguration
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let processor: RecordProcessor
    let publisher: OutputPublisher
    let lanes: Lanes
    let gate: ProviderGate
    let planner: RecordPlanner
    let metrics: PipelineMetrics
    let readiness: ReadinessState?
    /// The fraud guard's view of the group's sends; nil when the guard is off.
    let guardFeed: GuardFeed?
    let logger: Logger
    let revocationBudget: Duration
    /// The brokers and pass-through properties, for the admin client that checks the topics.
    let adminClient: KafkaClientSettings
    /// Starts each record's span; `nil` when tracing is off.
    let tracer: Tracer?
    private let shutdown = Locked<Task<Void, Never>?>(nil)

    /// Creates the worker's Kafka clients; nothing is read until `run`.
    /// - Parameters:
    ///   - consumerConfiguration: Its group id is required; offsets are committed by the worker.
    ///   - readiness: Told whether the worker has joined its group and can reach the provider.
    ///   - metricsFactory: Where the pipeline's metrics go (``WorkerMetrics``): the process-wide
    ///     backend by default. The Kafka clients' statistics always go to the process-wide one.
    ///   - tracer: When given, every record gets a span (with children for its provider call and
    ///     its publishing) and its outputs carry that span as their `traceparent`; when `nil`,
    ///     outputs carry the input's trace context as it came.
    /// - Throws: `KafkaError` when a Kafka configuration is refused (naming the property).
    public init(
        configuration: WorkerConfiguration,
        consumerConfiguration: KafkaConsumerConfiguration,
        producerConfiguration: KafkaProducerConfiguration,
        provider: any VerificationProvider,
        readiness: ReadinessState? = nil,
        logger: Logger = Logger(label: "otp-worker"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        tracer: Tracer? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) throws(KafkaError) {
        let metrics = PipelineMetrics(factory: metricsFactory)
        let lanes = Lanes(capacity: configuration.maxInFlight, metrics: metrics)
        let consumerHolder = ConsumerHolder()
        let pauses = PauseControl(consumer: consumerHolder, metrics: metrics)
        let idempotency = IdempotencyRegistry<RememberedOutcome>(
            retention: configuration.effectiveRetention, maximumEntries: configuration.idempotencyCapacity)
        readiness?.set("topics", ready: false, reason: "checking the idempotency topic \(configuration.topics.idempotency)")
        readiness?.set("group", ready: false, reason: "joining the consumer group")
        readiness?.set("provider", ready: false, reason: "waiting for a first provider token")
        let gate = ProviderGate(
            provider: provider, probeBackoff: configuration.probeBackoff, logger: logger,
            observer: .init(
                held: { reason in
                    readiness?.set("provider", ready: false, reason: reason.rawValue + ", consumption paused")
                    pauses.hold(Array(consumerHolder.consumer?.assignment ?? []), for: .provider)
                },
                released: {
                    readiness?.set("provider", ready: true, reason: "")
                    pauses.release(Array(consumerHolder.consumer?.assignment ?? []), for: .provider)
                }))
        let loader = IdempotencyLoader(
            consumerConfiguration: consumerConfiguration, topic: configuration.topics.idempotency,
            retention: configuration.effectiveRetention, logger: logger)
        let listener = WorkerRebalanceListener(
            lanes: lanes, gate: gate, pauses: pauses, loader: loader, idempotency: idempotency,
            readiness: readiness, metrics: metrics,
            budget: consumerConfiguration.revocationTimeout - .milliseconds(500), logger: logger)
        var producerConfiguration = producerConfiguration
        // Any record the brokers accepted must fit in the DLQ with its extra headers.
        producerConfiguration.maxMessageBytes = max(producerConfiguration.maxMessageBytes ?? 0, 2 * 1_048_576)
        var guardian: WorkerGuard?
        if configuration.guardPolicy.mode != .off {
            let guarded = WorkerGuard(
                policy: configuration.guardPolicy, metrics: GuardMetrics(factory: metricsFactory), logger: logger, now: now)
            guardian = guarded
            if configuration.guardPolicy.needsView {
                guardFeed = GuardFeed(
                    guardian: guarded, consumerConfiguration: consumerConfiguration, topics: configuration.topics,
                    source: configuration.source, readiness: readiness, logger: logger, now: now)
            } else {
                guarded.markLoaded()
                guardFeed = nil
            }
        } else {
            guardFeed = nil
        }
        self.consumer = try KafkaConsumer(configuration: consumerConfiguration, listener: listener, logger: logger)
        self.producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        consumerHolder.set(consumer)
        self.configuration = configuration
        self.lanes = lanes
        self.gate = gate
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        self.revocationBudget = consumerConfiguration.revocationTimeout
        self.adminClient = consumerConfiguration.client
        self.tracer = tracer
        self.planner = RecordPlanner(topics: configuration.topics, headers: CloudEventHeaders(source: configuration.source))
        self.processor = RecordProcessor(
            configuration: configuration, decoder: EventDecoder(maxEventBytes: configuration.maxEventBytes),
            provider: provider, gate: gate, idempotency: idempotency,
            metrics: metrics, guardian: guardian, logger: logger, now: now)
        self.publisher = OutputPublisher(producer: producer, metrics: metrics, logger: logger)
    }

    /// Works until graceful shutdown or `stop()`; returns once stopped cleanly.
    ///
    /// Before joining the group it checks the idempotency topic, creating it when missing
    /// (``InternalTopics``).
    /// - Throws: ``InternalTopicProblem`` when the idempotency topic is missing and cannot be
    ///   created, or is wrong (nothing was consumed); `KafkaError` when the brokers cannot be
    ///   reached for that check, the consumer hits a fatal error or subscribing fails.
    public func run() async throws {
        let provisioned: Bool
        do {
            provisioned = try await provisionInternalTopics()
        } catch {
            await consumer.close(timeout: .seconds(5))
            await producer.close(timeout: .seconds(5))
            throw error
        }
        guard provisioned else {
            // Stopped while the brokers did not answer: nothing was consumed.
            await consumer.close(timeout: .seconds(5))
            await producer.close(timeout: .seconds(5))
            return
        }
        guardFeed?.start()
        try consumer.subscribe(topics: configuration.topics.inputs)
        gate.start()
        if configuration.guardPolicy.mode != .off {
            let policy = configuration.guardPolicy
            logger.info("fraud guard", metadata: [
                "mode": "\(policy.mode.rawValue)",
                "number-limit": "\(policy.numberLimit.map(\.description) ?? "off")",
                "prefix-limit": "\(policy.prefixLimit.map(\.description) ?? "off")",
                "country-limit": "\(policy.countryLimit.map(\.description) ?? "off")",
                "global-limit": "\(policy.globalLimit.map(\.description) ?? "off")",
                "min-conversion": "\(policy.minConversion.map(\.description) ?? "off")",
                "allow-countries": "\(policy.allowCountries.map { $0.sorted().joined(separator: ",") } ?? "all")",
                "deny-prefixes": "\(policy.denyPrefixes.isEmpty ? "none" : policy.denyPrefixes.map(\.description).joined(separator: ","))",
            ])
        }
        // The group settings as librdkafka holds them, so that an operator sees what a failover takes.
        logger.info("worker started", metadata: [
            "topics": "\(configuration.topics.inputs.joined(separator: ","))",
            "max-in-flight": "\(configuration.maxInFlight)", "source": "\(configuration.source)",
            "session.timeout.ms": "\(consumer.configurationValue("session.timeout.ms") ?? "?")",
            "heartbeat.interval.ms": "\(consumer.configurationValue("heartbeat.interval.ms") ?? "?")",
            "group.instance.id": "\(consumer.configurationValue("group.instance.id") ?? "none (dynamic membership)")",
        ])
        var failure: (any Error)?
        await withGracefulShutdownHandler {
            do { try await readLoop() } catch { failure = error }
        } onGracefulShutdown: {
            self.stop()
        }
        // The loop also ends on a fatal consumer error; stop in every case.
        stop()
        await shutdown.withLock { $0 }?.value
        if let failure { throw failure }
    }

    /// Checks (and creates) the idempotency topic; false when a graceful shutdown came first.
    /// Brokers that do not answer are waited for, as the consumer would: a worker started with
    /// its cluster comes up when the cluster does.
    private func provisionInternalTopics() async throws -> Bool {
        var client = adminClient
        client.clientID += "-admin"
        let admin = try KafkaAdmin(client: client, logger: logger)
        let requirement = configuration.idempotencyTopic(bootstrapServers: client.bootstrapServers)
        var delay = Duration.seconds(1)
        while !Task.isShuttingDownGracefully {
            do {
                try await InternalTopics.ensure(requirement, admin: admin, strictness: .required, readiness: readiness, logger: logger)
                await admin.close()
                return true
            } catch let problem as InternalTopicProblem {
                await admin.close()
                throw problem
            } catch {
                logger.warning("cannot reach the brokers to check the idempotency topic; trying again", metadata: [
                    "topic": "\(requirement.topic)", KafkaLogKey.error: "\(error)", "retry-in": "\(delay)",
                ])
                readiness?.set("topics", ready: false, reason: "cannot reach the brokers to check the idempotency topic \(requirement.topic)")
                let wait = delay
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) } } catch { break }
                delay = min(delay * 2, .seconds(10))
            }
        }
        await admin.close()
        return false
    }

    /// Starts a graceful stop (idempotent); `run` returns once it is complete.
    public func stop() {
        shutdown.withLock { task in
            guard task == nil else { return }
            task = Task { await self.performShutdown() }
        }
    }

    private func readLoop() async throws {
        for try await record in consumer.records {
            guard await lanes.waitForRoom() else { continue }
            let admitted = lanes.admit(record) { lane, generation in
                Task { await self.runLane(lane, first: record, generation: generation) }
            }
            if !admitted { metrics.abandoned() }
        }
    }

    private func performShutdown() async {
        let deadline = ContinuousClock.now + configuration.shutdownDeadline
        logger.info("stopping: finishing in-flight work", metadata: ["in-flight": "\(lanes.admitted)"])
        lanes.stop()
        gate.stop()
        // Leave room within the deadline for committing, leaving the group and flushing.
        let reserve = min(configuration.shutdownDeadline / 4, .seconds(5))
        if !(await lanes.drain(nil, until: deadline - reserve)) {
            logger.warning("abandoning in-flight work at the shutdown deadline", metadata: ["in-flight": "\(lanes.admitted)"])
            await lanes.cancelRunners(nil)
        }
        await consumer.close(timeout: max(deadline - .now - .seconds(1), .seconds(1)))
        await guardFeed?.stop()
        await producer.close(timeout: max(deadline - .now, .seconds(1)))
        readiness?.set("group", ready: false, reason: "stopped")
        logger.info("worker stopped")
    }
}

/// The consumer, reachable from the gate's callbacks, which exist before it.
///
/// Weak: the consumer holds the rebalance listener, which holds the gate, whose callbacks hold
/// this; a strong reference would make a cycle that keeps the whole worker alive after it stops.
final class ConsumerHolder: Sendable {
    private struct Reference {
        weak var consumer: KafkaConsumer?
    }

    private let state = Locked(Reference())

    func set(_ consumer: KafkaConsumer) { state.withLock { $0.consumer = consumer } }

    var consumer: KafkaConsumer? { state.withLock { $0.consumer } }
}
