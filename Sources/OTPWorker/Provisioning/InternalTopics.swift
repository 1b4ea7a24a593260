import Kafka
import Logging

/// Provisions the worker's internal topic as Kafka Streams and Kafka Connect do theirs: at
/// start, before joining the group, the idempotency topic is checked, and created through the
/// Admin API when it is missing.
public enum InternalTopics {
    /// What a problem does to the caller.
    public enum Strictness: Sendable {
        /// `run`: a problem is thrown, and the worker exits without joining the group.
        case required
        /// `replay`: a problem is logged as a warning, and the tool goes on; nothing is created.
        case advisory
    }

    /// Checks the idempotency topic, creating it when missing (`.required` only).
    ///
    /// A broker that cannot report the topic's configuration (no DescribeConfigs, no
    /// permission, the embedded cluster) gets a warning, not a failure: the partition counts
    /// are checked all the same.
    /// - Parameter readiness: told what is being checked, so that `/readyz` says it meanwhile.
    /// - Throws: ``InternalTopicProblem`` with `.required` when the topic is missing and cannot
    ///   be created or is wrong; `KafkaError` when the brokers do not answer at all.
    public static func ensure(
        _ requirement: IdempotencyTopicRequirement, admin: KafkaAdmin, strictness: Strictness,
        readiness: ReadinessState? = nil, logger: Logger
    ) async throws {
        let condition = "topics"
        readiness?.set(condition, ready: false, reason: "checking the idempotency topic \(requirement.topic)")
        let counts = try await admin.partitionCounts()
        var problem: InternalTopicProblem?
        switch requirement.judge(partitionCounts: counts) {
        case .problem(let found):
            problem = found
        case .create(let specification) where strictness == .required:
            problem = await create(specification, requirement: requirement, admin: admin, logger: logger)
        case .create(let specification):
            // A tool that only reads creates nothing.
            problem = InternalTopicProblem(
                topic: specification.name, problem: "the idempotency topic \(specification.name) does not exist",
                fix: requirement.createCommand(partitions: specification.partitions))
        case .checkConfiguration:
            problem = await checkConfiguration(requirement, admin: admin, logger: logger)
        }
        guard let problem else {
            readiness?.set(condition, ready: true)
            return
        }
        readiness?.set(condition, ready: false, reason: problem.problem)
        switch strictness {
        case .required: throw problem
        case .advisory: logger.warning("\(problem)", metadata: ["topic": "\(problem.topic)"])
        }
    }

    private static func create(
        _ specification: KafkaTopicSpecification, requirement: IdempotencyTopicRequirement, admin: KafkaAdmin, logger: Logger
    ) async -> InternalTopicProblem? {
        do {
            try await admin.createTopics([specification])
            logger.notice("created the idempotency topic", metadata: [
                "topic": "\(specification.name)", "partitions": "\(specification.partitions)",
                "replication-factor": "\(specification.replicationFactor.map(String.init) ?? "broker default")",
            ])
            return nil
        } catch {
            return InternalTopicProblem(
                topic: specification.name,
                problem: "the idempotency topic \(specification.name) does not exist and the worker cannot create it "
                    + "(\(error.name): \(error.message))",
                fix: requirement.createCommand(partitions: specification.partitions))
        }
    }

    private static func checkConfiguration(
        _ requirement: IdempotencyTopicRequirement, admin: KafkaAdmin, logger: Logger
    ) async -> InternalTopicProblem? {
        do {
            return requirement.judge(configuration: try await admin.topicConfiguration(requirement.topic))
        } catch {
            logger.warning(
                "cannot read the idempotency topic's configuration; make sure its cleanup.policy includes compact",
                metadata: ["topic": "\(requirement.topic)", KafkaLogKey.error: "\(error.name): \(error.message)"])
            return nil
        }
    }
}
