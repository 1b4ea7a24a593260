#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Kafka
import Logging
import Metrics
import MessageCentral
import OTPEvents

/// `otp-worker replay`: re-reads a range of a topic for debugging, without joining the group
/// and without committing. A dry run unless told otherwise.
public enum Replay {
    /// Marks a re-published record: the topic, partition and offset it was copied from.
    public static let markerHeader = "otp_replay_of"
    /// When the re-publishing run started (RFC 3339).
    public static let replayedAtHeader = "otp_replayed_at"

    /// Shows, for each record in `range`, what the worker would do and why.
    ///
    /// - Parameters:
    ///   - provider: When given (an explicit operator choice), `send` and `validate` verdicts
    ///     are carried out and their answers shown; expired requests and re-emissions never are.
    ///   - emit: Called with each verdict, in offset order per partition.
    /// - Returns: How many records were read.
    @discardableResult
    public static func inspect(
        _ range: ReplayRange, consumerConfiguration: KafkaConsumerConfiguration, topics: WorkerTopics,
        maxEventBytes: Int = 65_536, maxRequestAge: Duration = .seconds(600), idempotencyRetention: Duration = .seconds(86_400),
        provider: (any VerificationProvider)? = nil, providerDeadline: Duration = .seconds(30),
        guardPolicy: GuardPolicy? = nil,
        logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        emit: (ReplayVerdict) async throws -> Void
    ) async throws -> Int {
        let session = ReplaySession(consumerConfiguration: consumerConfiguration, logger: logger)
        let remembered = try await memory(for: range, consumerConfiguration: consumerConfiguration, topics: topics,
                                          retention: idempotencyRetention, logger: logger)
        var inspector = ReplayInspector(topics: topics, maxEventBytes: maxEventBytes, maxRequestAge: maxRequestAge, remembered: remembered)
        if let guardPolicy, guardPolicy.mode != .off, range.topic == topics.requested || range.topic == topics.deadLetter {
            let guardian = await view(guardPolicy, consumerConfiguration: consumerConfiguration, topics: topics, logger: logger, now: now)
            inspector.guardCheck = { guardian.peek(countryCode: $0, mobileNumber: $1) }
        }
        var shown = 0
        return try await session.read(range, limit: { shown >= range.limit ?? .max }, progress: progress) { record in
            var verdict = inspector.inspect(record, now: now())
            guard range.selects(verdict) else { return }
            if let provider { await inspector.call(&verdict, record: record, provider: provider, deadline: providerDeadline) }
            try await emit(verdict)
            shown += 1
        }
    }

    /// The fraud guard with the group's view of recent sends, read once from Kafka (not followed).
    private static func view(
        _ policy: GuardPolicy, consumerConfiguration: KafkaConsumerConfiguration, topics: WorkerTopics, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) async -> WorkerGuard {
        let guardian = WorkerGuard(policy: policy, metrics: GuardMetrics(factory: NOOPMetricsHandler.instance), logger: logger, now: now)
        guard policy.needsView else { return guardian }
        // A source no worker has: every send is read, none is this process's own.
        let feed = GuardFeed(guardian: guardian, consumerConfiguration: consumerConfiguration, topics: topics,
                             source: "urn:otp-worker:replay:\(UInt64.random(in: 0...UInt64.max))", readiness: nil, logger: logger, now: now)
        feed.start()
        await guardian.waitUntilLoaded()
        await feed.stop()
        return guardian
    }

    /// The idempotency memory of the partitions `range` reads, when it reads an input topic.
    private static func memory(
        for range: ReplayRange, consumerConfiguration: KafkaConsumerConfiguration, topics: WorkerTopics,
        retention: Duration, logger: Logger
    ) async throws -> [String: RememberedOutcome] {
        // The DLQ too: its records are judged as inputs, and an input that was dead-lettered
        // once may have been re-driven and answered since.
        let readsDeadLetters = range.topic == topics.deadLetter
        guard topics.inputs.contains(range.topic) || readsDeadLetters else { return [:] }
        let requirement = IdempotencyTopicRequirement(
            topic: topics.idempotency, inputs: topics.inputs, retention: retention, replicationFactor: nil,
            bootstrapServers: consumerConfiguration.client.bootstrapServers)
        let admin = try KafkaAdmin(client: consumerConfiguration.client, logger: logger)
        do {
            try await InternalTopics.ensure(requirement, admin: admin, strictness: .advisory, logger: logger)
        } catch {
            logger.warning("cannot check the idempotency topic", metadata: [KafkaLogKey.error: "\(error)"])
        }
        await admin.close()
        let loader = IdempotencyLoader(consumerConfiguration: consumerConfiguration, topic: topics.idempotency, retention: retention, logger: logger)
        let partitions: Set<Int32>
        // A DLQ's partitions are not the inputs' partitions: its records came from any of them.
        if let chosen = range.partitions, !readsDeadLetters {
            partitions = Set(chosen)
        } else {
            let probe = try KafkaConsumer(configuration: { var c = consumerConfiguration; c.groupID = nil; return c }(), logger: logger)
            let count = try? await probe.partitionCount(of: topics.idempotency)
            await probe.close(timeout: .seconds(5))
            guard let count else { return [:] }
            partitions = Set((0..<Int32(count)).map { $0 })
        }
        var memory: [String: RememberedOutcome] = [:]
        for entry in try await loader.load(partitions) where memory[entry.key] == nil {
            memory[entry.key] = entry.outcome
        }
        return memory
    }
}
