import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import KafkaEmbedded
import Logging
import MessageCentral
import MessageCentralSandbox
import OTPWorker

/// `otp-worker demo`: the whole flow in one process, with nothing installed but librdkafka.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole flow on this machine: embedded Kafka, the provider sandbox and the worker.",
        discussion: """
            Starts an embedded Kafka cluster (librdkafka's mock brokers, 3 brokers) and the \
            provider sandbox on loopback, runs the worker against them, then plays a short \
            scenario: three requests, a right and a wrong code, a repeated request, a \
            malformed event. It prints each event as it flows and exits 0 when every expected \
            outcome arrived (1 otherwise). Codes are read from the sandbox and never printed. \
            \(DurationOption.help)
            """
    )

    @Option(help: "Worker log level on stderr (the flow itself goes to stdout).")
    var logLevel = "warning"

    @Option(help: "How long to wait for each expected outcome, more than zero and at most 10m. Default 30s.",
            transform: DurationOption.parse)
    var timeout: Duration = .seconds(30)

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard timeout > .zero, timeout <= .seconds(600) else { throw ValidationError("--timeout must be more than zero and at most 10m") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSetup.bootstrap(format: .human, level: level)
        let topics = WorkerTopics()
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.shutdown() }
        for topic in topics.all {
            try cluster.createTopic(topic, partitions: 3)
        }
        let sandboxConfiguration = SandboxConfiguration(port: 0)
        let passed = try await withSandbox(sandboxConfiguration) { sandbox in
            let provider = MessageCentralConfiguration(
                baseURL: sandbox.baseURL, customerID: sandboxConfiguration.customerID,
                password: Secret(sandboxConfiguration.password), callDeadline: .seconds(10))
            return try await MessageCentralClient.withClient(configuration: provider, logger: Logger(label: "otp-worker.provider")) { client in
                let flow = try DemoFlow(cluster: cluster, sandbox: sandbox, provider: client, topics: topics,
                                        timeout: timeout)
                return await flow.run()
            }
        }
        if !passed { throw ExitCode.failure }
    }
}
