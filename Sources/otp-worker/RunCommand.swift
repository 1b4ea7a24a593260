import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Metrics
import MessageCentral
import OTPWorker
import ServiceLifecycle
import UnixSignals
import WorkerTracing

/// `otp-worker run`: the worker against real brokers and the real provider.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker against Kafka brokers and Message Central.",
        discussion: """
            Every flag has an environment variable (named in its help); a flag wins over its \
            variable. librdkafka properties pass through untouched with --kafka-option or \
            KAFKA_OPTION_* variables: KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL is \
            security.protocol=SASL_SSL. \(DurationOption.help)

            Serves Prometheus metrics at /metrics, liveness at /healthz and readiness at /readyz \
            (503 until the group is joined and a provider token is held, and while consumption \
            is paused for the provider). SIGTERM and SIGINT stop it gracefully.

            Exit status: 0 after a graceful stop; 64 (EX_USAGE) for a bad flag or environment \
            variable; 78 (EX_CONFIG) when the idempotency topic is missing and cannot be created, \
            or is wrong (the last log line says how to fix it).
            """
    )

    /// Brokers, topic names, size and age limits, idempotency retention, librdkafka properties:
    /// the flags `replay` takes too.
    @OptionGroup var shared: SharedOptions
    @Option(name: .customLong("group-id"), help: "Consumer group. Env OTP_GROUP_ID; default otp-worker.")
    var groupID: String?
    @Option(name: .customLong("provider-url"), help: "Provider base URL. Env MESSAGE_CENTRAL_BASE_URL; default https://cpaas.messagecentral.com.")
    var providerURL: String?
    @Option(name: .customLong("provider-proxy"), help: """
        HTTP proxy to the provider: http://[user:password@]host[:port] (port 1080 when absent, as curl; \
        percent-encode @ and : in the password). Only http:// proxies; an https provider is reached \
        through CONNECT, TLS still verified against the provider. Env, as curl reads it: https_proxy \
        then HTTPS_PROXY for an https provider, http_proxy (never HTTP_PROXY) for an http one, then \
        all_proxy, ALL_PROXY. no_proxy or NO_PROXY lists hosts reached directly (names, .domains, \
        addresses, CIDR ranges, :port, * for all). An empty value turns the proxy off.
        """)
    var providerProxy: String?
    @Option(name: .customLong("customer-id"), help: "Provider customer id (required). Env MESSAGE_CENTRAL_CUSTOMER_ID.")
    var customerID: String?
    @Option(name: .customLong("password-file"), help: "File holding the provider password (required unless MESSAGE_CENTRAL_PASSWORD or MESSAGE_CENTRAL_PASSWORD_FILE is set).")
    var passwordFile: String?
    @Option(help: "Optional token parameter. Env MESSAGE_CENTRAL_COUNTRY.")
    var country: String?
    @Option(help: "Optional token parameter. Env MESSAGE_CENTRAL_EMAIL.")
    var email: String?
    @Option(name: .customLong("max-in-flight"), help: "Records at once before their provider answer; with those waiting for broker acknowledgements, this plus half of it (at least one) in all. Env OTP_MAX_IN_FLIGHT; default 256.")
    var maxInFlight: Int?
    @Option(name: .customLong("provider-deadline"), help: "Retries of one provider call stop here. Env OTP_PROVIDER_DEADLINE; default 30s.")
    var providerDeadline: String?
    @Option(name: .customLong("shutdown-deadline"), help: "Bound on a graceful stop. Env OTP_SHUTDOWN_DEADLINE; default 20s.")
    var shutdownDeadline: String?
    @Option(name: .customLong("idempotency-capacity"), help: "Most outcomes remembered in memory (under 1 KB each); the oldest go first. Env OTP_IDEMPOTENCY_CAPACITY; default 200000.")
    var idempotencyCapacity: Int?
    @Option(name: .customLong("instance-id"), help: "Names this process in ce_source; when set, also its static group membership (group.instance.id, KIP-345: a restart within the session timeout moves no partition). Env OTP_INSTANCE_ID; default HOST:PID, no static membership.")
    var instanceID: String?
    @Option(name: .customLong("session-timeout"), help: "How long the group waits for a silent worker before moving its partitions (session.timeout.ms). Env OTP_SESSION_TIMEOUT; default 10s.")
    var sessionTimeout: String?
    @Option(name: .customLong("heartbeat-interval"), help: "How often a worker tells the group it is alive (heartbeat.interval.ms), under a third of the session timeout. Env OTP_HEARTBEAT_INTERVAL; default 3s.")
    var heartbeatInterval: String?
    @Option(name: .customLong("internal-replication-factor"), help: "Replication of the idempotency topic when the worker creates it. Env OTP_INTERNAL_REPLICATION_FACTOR; default the broker's default.replication.factor.")
    var internalReplicationFactor: Int?
    @Option(name: .customLong("metrics-host"), help: "Address for /metrics, /healthz, /readyz. Env OTP_METRICS_HOST; default 0.0.0.0.")
    var metricsHost: String?
    @Option(name: .customLong("metrics-port"), help: "Port for /metrics, /healthz, /readyz (0 picks one). Env OTP_METRICS_PORT; default 9464.")
    var metricsPort: Int?
    @Option(name: .customLong("log-format"), help: "human or json. Env OTP_LOG_FORMAT; default human.")
    var logFormat: String?
    @Option(name: .customLong("log-level"), help: "trace ... critical. Env OTP_LOG_LEVEL; default info.")
    var logLevel: String?

    func run() async throws {
        let settings = try RunSettings(self, environment: ProcessInfo.processInfo.environment)
        LoggingSetup.bootstrap(format: settings.logFormat, level: settings.logLevel, traceIDs: settings.tracing != nil)
        let metrics = MetricsSetup()
        metrics.bootstrap()
        let logger = Logger(label: "otp-worker")
        logger.info("otp-worker starting", metadata: ["allocator": "\(Allocator.description)"])
        settings.logProviderRoute(logger)

        let provider: MessageCentralClient
        do {
            provider = try MessageCentralClient(configuration: settings.provider, logger: Logger(label: "otp-worker.provider"))
        } catch {
            throw ValidationError("--provider-url / MESSAGE_CENTRAL_BASE_URL: \(error.message)")
        }
        BuildInfo.record()
        let readiness = ReadinessState(gauge: Gauge(label: WorkerMetrics.ready))
        do {
            let tracing = try settings.tracing.map { configuration in
                let tracing = try Tracing(
                    configuration: configuration, instanceID: settings.worker.instanceID, version: BuildInfo.version,
                    logger: Logger(label: "otp-worker.tracing"))
                logger.info("traces on", metadata: [
                    "endpoint": "\(configuration.endpoint)", "service.name": "\(configuration.serviceName)",
                    "sampler": "\(configuration.sampler.name)",
                ])
                return tracing
            }
            let worker = try OTPWorkerService(
                configuration: settings.worker, consumerConfiguration: settings.consumer,
                producerConfiguration: settings.producer, provider: provider, readiness: readiness, logger: logger,
                tracer: tracing?.tracer)
            let server = ObservabilityServer(
                host: settings.metricsHost, port: settings.metricsPort, registry: metrics.registry, readiness: readiness)
            // Shut down in reverse order: the worker first, the endpoints next, and the spans'
            // exporter last, so that it sends the spans of the worker's final records.
            let group = ServiceGroup(configuration: .init(
                services: (tracing.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0.processor)] } ?? []) + [
                    .init(service: server),
                    .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
        } catch let problem as InternalTopicProblem {
            await provider.shutdown()
            // The last line, so that an operator reading the end of the log finds the fix.
            logger.critical("\(problem)", metadata: ["topic": "\(problem.topic)"])
            throw ExitCode(Self.configurationExitCode)
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }

    /// `EX_CONFIG` (sysexits.h): the internal topic is missing and cannot be created, or is wrong.
    static let configurationExitCode: Int32 = 78
}
