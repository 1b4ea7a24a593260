import Foundation
import Kafka
import Logging
import Testing

/// Which Kafka cluster the integration suites run against, read once from the environment:
/// the embedded cluster by default, or the external cluster `OTP_TEST_KAFKA_BROKERS` names
/// (`make test-external KAFKA_BROKERS=host:port`).
public enum TestKafka {
    /// The variable that names an external cluster's bootstrap servers.
    public static let brokersVariable = "OTP_TEST_KAFKA_BROKERS"
    /// The variable with the replication factor of the topics the tests create there.
    public static let replicationFactorVariable = "OTP_TEST_KAFKA_REPLICATION_FACTOR"

    /// The external cluster's bootstrap servers; nil (unset or empty) runs on the embedded one.
    public static let externalBrokers: String? = {
        let value = ProcessInfo.processInfo.environment[brokersVariable]?.trimmingCharacters(in: .whitespaces) ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Whether the suites run on the embedded cluster (the default).
    public static var isEmbedded: Bool { externalBrokers == nil }

    /// The replication factor of the topics created on an external cluster: 1 unless set.
    /// - Throws: ``ExternalClusterError`` when the variable is not a positive whole number.
    public static func replicationFactor() throws(ExternalClusterError) -> Int {
        let text = ProcessInfo.processInfo.environment[replicationFactorVariable] ?? ""
        if text.isEmpty { return 1 }
        guard let factor = Int(text), factor >= 1 else {
            throw ExternalClusterError("\(replicationFactorVariable) must be a positive whole number, not '\(text)'")
        }
        return factor
    }

    /// Whether the external cluster answers, asked once per test process: when nothing listens
    /// there, every test that needs it fails at once with the same clear error instead of each
    /// waiting out its own time-outs.
    static let reachability = Task<ExternalClusterError?, Never> {
        guard let brokers = externalBrokers else { return nil }
        var failure: KafkaError?
        do throws(KafkaError) {
            let admin = try KafkaAdmin(client: KafkaClientSettings(bootstrapServers: brokers, clientID: "otp-test-probe"), logger: adminLogger)
            do throws(KafkaError) {
                _ = try await admin.partitionCounts(timeout: .seconds(10))
            } catch {
                failure = error
            }
            await admin.close(timeout: .seconds(2))
        } catch {
            failure = error
        }
        guard let failure else { return nil }
        return ExternalClusterError(
            "no Kafka cluster answers at \(brokers) (\(brokersVariable)): \(failure.name): \(failure.message); "
                + "start one (docker compose up -d kafka kafka-init) or unset \(brokersVariable) to use the embedded cluster")
    }

    /// The logger of the tests' admin clients: quiet unless `TEST_LOG_LEVEL` asks for more.
    static var adminLogger: Logger {
        var logger = Logger(label: "test.kafka.admin")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }
}

/// The external cluster cannot be used: unreachable, misconfigured, or it refused the tests' topics.
public struct ExternalClusterError: Error, CustomStringConvertible {
    /// What went wrong, and what to do about it.
    public var description: String

    init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test on the embedded cluster only: it needs the mock's fault injection (brokers
    /// down, injected request errors, leader and coordinator moves) or behaviour only the mock
    /// has. `why` is shown when the test is skipped on an external cluster.
    public static func embeddedClusterOnly(_ why: Comment, sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: TestKafka.isEmbedded, why, sourceLocation: sourceLocation)
    }

    /// Runs the test on an external cluster only: it checks what the mock cannot do.
    public static func externalClusterOnly(_ why: Comment, sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: !TestKafka.isEmbedded, why, sourceLocation: sourceLocation)
    }
}
