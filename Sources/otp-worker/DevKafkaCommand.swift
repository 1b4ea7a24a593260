import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KafkaEmbedded
import Logging
import OTPWorker
import ServiceLifecycle
import UnixSignals

/// `otp-worker dev-kafka`: an embedded Kafka-protocol cluster on loopback for local work.
///
/// Prints one line `bootstrap HOST:PORT,...` once the brokers listen; any Kafka client,
/// kcat included, can then produce and consume. SIGINT and SIGTERM stop it.
struct DevKafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-kafka",
        abstract: "Run an embedded Kafka cluster (librdkafka's mock brokers) on loopback.",
        discussion: """
            The cluster lives in memory and is gone when the process stops. It speaks the \
            Kafka protocol (produce, fetch, consumer groups, offset commits) but is not a \
            real broker: use it for development and tests, not for data you want to keep.

            Example: otp-worker dev-kafka --topic otp.requested:6 then
              kcat -b BOOTSTRAP -t otp.requested -P <<< '{"requestId":"r1"}'
            """
    )

    @Option(help: "Number of brokers.")
    var brokers: Int = 3

    @Option(name: .customLong("topic"), help: "A topic to create, as NAME:PARTITIONS (repeatable). Defaults to the worker's seven topics (the idempotency topic included) with 6 partitions each.")
    var topics: [String] = []

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        for topic in topics where Self.parse(topic) == nil {
            throw ValidationError("--topic '\(topic)' must look like NAME:PARTITIONS with 1 to 1000 partitions")
        }
    }

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: brokers)
        let wanted = topics.isEmpty ? Self.defaultTopics : topics.compactMap(Self.parse)
        for (name, partitions) in wanted {
            try cluster.createTopic(name, partitions: partitions)
        }
        let logger = Logger(label: "otp-worker.dev-kafka")
        let group = ServiceGroup(
            services: [ClusterService(cluster: cluster)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Unbuffered: scripts read this line while the process keeps running.
        var output = StandardStream.standardOutput
        output.write("bootstrap \(cluster.bootstrapServers)\n")
        try await group.run()
    }

    static let defaultTopics = ["otp.requested", "otp.submitted", "otp.sent", "otp.verified", "otp.failed", "otp.dlq", "otp.idempotency"].map { ($0, 6) }

    static func parse(_ text: String) -> (String, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), (1...1000).contains(count) else { return nil }
        return (String(parts[0]), count)
    }
}

/// Keeps the cluster up until shutdown is requested.
private struct ClusterService: Service {
    let cluster: EmbeddedKafkaCluster

    func run() async throws {
        try? await gracefulShutdown()
        cluster.shutdown()
    }
}
