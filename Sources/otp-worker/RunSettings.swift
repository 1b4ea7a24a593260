import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import MessageCentral
import OTPWorker
import WorkerTracing

/// Everything `otp-worker run` needs, resolved once from flags, then environment, then defaults.
struct RunSettings {
    var brokers: String
    var groupID: String
    var provider: MessageCentralConfiguration
    /// The flag or variable the provider's proxy came from, when there is one.
    var providerProxySource: String?
    var worker: WorkerConfiguration
    var kafkaProperties: [String: String]
    var metricsHost: String
    var metricsPort: Int
    var logFormat: LogFormat
    var logLevel: Logger.Level
    /// `--instance-id` when given: the worker's static group membership.
    var staticInstanceID: String?
    var sessionTimeout: Duration
    var heartbeatInterval: Duration
    /// The OpenTelemetry variables; `nil` when tracing is off (no endpoint, or disabled).
    var tracing: TracingConfiguration?

    /// - Throws: `ValidationError` naming the flag or variable at fault.
    init(_ command: RunCommand, environment: [String: String]) throws {
        let read = SettingsReader(environment: environment)
        func value(_ flag: String?, _ variable: String) -> String? { read.value(flag, variable) }
        func duration(_ flag: String?, _ variable: String, _ name: String, default fallback: Duration) throws -> Duration {
            try read.duration(flag, variable, name, default: fallback)
        }
        func integer(_ flag: Int?, _ variable: String, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            try read.integer(flag, variable, name, default: fallback, range: range)
        }
        // What `replay` needs too is resolved in one place, so the two commands never disagree.
        let shared = try SharedSettings(command.shared, environment: environment)

        brokers = shared.brokers
        groupID = value(command.groupID, "OTP_GROUP_ID") ?? "otp-worker"
        guard let customerID = value(command.customerID, "MESSAGE_CENTRAL_CUSTOMER_ID") else {
            throw ValidationError("the customer id is required: --customer-id or MESSAGE_CENTRAL_CUSTOMER_ID")
        }
        let password = try Self.password(command.passwordFile, environment: environment)
        staticInstanceID = value(command.instanceID, "OTP_INSTANCE_ID")
        let instance = staticInstanceID
            ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

        var worker = WorkerConfiguration(instanceID: instance)
        worker.maxInFlight = try integer(command.maxInFlight, "OTP_MAX_IN_FLIGHT", "--max-in-flight", default: 256, range: 1...10_000)
        worker.maxRequestAge = shared.maxRequestAge
        worker.providerDeadline = try duration(command.providerDeadline, "OTP_PROVIDER_DEADLINE", "--provider-deadline", default: .seconds(30))
        worker.shutdownDeadline = try duration(command.shutdownDeadline, "OTP_SHUTDOWN_DEADLINE", "--shutdown-deadline", default: .seconds(20))
        worker.maxEventBytes = shared.maxEventBytes
        worker.idempotencyRetention = shared.idempotencyRetention
        worker.idempotencyCapacity = try integer(
            command.idempotencyCapacity, "OTP_IDEMPOTENCY_CAPACITY", "--idempotency-capacity", default: worker.idempotencyCapacity, range: 1_000...10_000_000)
        worker.topics = shared.topics
        worker.guardPolicy = shared.guardPolicy
        if let factor = command.internalReplicationFactor
            ?? environment["OTP_INTERNAL_REPLICATION_FACTOR"].flatMap({ $0.isEmpty ? nil : Int($0) ?? -1 }) {
            guard (1...32).contains(factor) else {
                throw ValidationError("--internal-replication-factor / OTP_INTERNAL_REPLICATION_FACTOR must be between 1 and 32")
            }
            worker.internalReplicationFactor = factor
        }
        self.worker = worker
        sessionTimeout = try duration(command.sessionTimeout, "OTP_SESSION_TIMEOUT", "--session-timeout", default: .seconds(10))
        heartbeatInterval = try duration(
            command.heartbeatInterval, "OTP_HEARTBEAT_INTERVAL", "--heartbeat-interval", default: .seconds(3))
        guard heartbeatInterval * 3 <= sessionTimeout else {
            throw ValidationError("--heartbeat-interval must be at most a third of --session-timeout, so that a lost heartbeat or two does not evict a live worker")
        }

        let baseURL = value(command.providerURL, "MESSAGE_CENTRAL_BASE_URL") ?? MessageCentralConfiguration.productionBaseURL
        let proxy = try Self.proxy(command.providerProxy, environment: environment, baseURL: baseURL)
        providerProxySource = proxy?.source
        provider = MessageCentralConfiguration(
            baseURL: baseURL,
            customerID: customerID, password: Secret(password),
            country: value(command.country, "MESSAGE_CENTRAL_COUNTRY"), email: value(command.email, "MESSAGE_CENTRAL_EMAIL"),
            callDeadline: worker.providerDeadline,
            // One connection per slot, so the in-flight bound is what limits concurrency.
            maximumConnectionsPerHost: max(32, worker.maxInFlight),
            proxy: proxy?.proxy)

        kafkaProperties = shared.kafkaProperties
        metricsHost = value(command.metricsHost, "OTP_METRICS_HOST") ?? "0.0.0.0"
        metricsPort = try integer(command.metricsPort, "OTP_METRICS_PORT", "--metrics-port", default: 9464, range: 0...65_535)
        let format = value(command.logFormat, "OTP_LOG_FORMAT") ?? "human"
        guard let logFormat = LogFormat(rawValue: format) else { throw ValidationError("--log-format must be human or json, not '\(format)'") }
        self.logFormat = logFormat
        let level = value(command.logLevel, "OTP_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = logLevel
        do {
            tracing = try TracingConfiguration(environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The password from `--password-file`, `MESSAGE_CENTRAL_PASSWORD` or `MESSAGE_CENTRAL_PASSWORD_FILE`.
    /// A trailing newline in a file (as editors and secret mounts leave it) is not part of it.
    static func password(_ file: String?, environment: [String: String]) throws -> String {
        if file == nil, let password = environment["MESSAGE_CENTRAL_PASSWORD"], !password.isEmpty { return password }
        guard let path = file ?? environment["MESSAGE_CENTRAL_PASSWORD_FILE"], !path.isEmpty else {
            throw ValidationError("the provider password is required: --password-file, MESSAGE_CENTRAL_PASSWORD or MESSAGE_CENTRAL_PASSWORD_FILE")
        }
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the password file '\(path)'")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw ValidationError("the password file '\(path)' is empty") }
        return text
    }

    /// The provider's proxy from `--provider-proxy` or the environment (`https_proxy` and the
    /// rest, as curl reads them).
    /// - Throws: `ValidationError` naming the flag or variable whose URL cannot be used.
    static func proxy(
        _ flag: String?, environment: [String: String], baseURL: String
    ) throws -> (proxy: ProviderProxy, source: String)? {
        do {
            return try ProviderProxy.resolve(flag: flag, environment: environment, baseURL: baseURL)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// Says at start how the provider is reached: the proxy as `http://host:port` (never its
    /// credentials) and where it came from, or that `NO_PROXY` sends the provider around it.
    func logProviderRoute(_ logger: Logger) {
        guard let proxy = provider.proxy, let source = providerProxySource else { return }
        let metadata: Logger.Metadata = ["proxy": "\(proxy)", "proxy_source": "\(source)"]
        if proxy.bypasses(baseURL: provider.baseURL) {
            logger.info("provider reached directly: NO_PROXY lists its host", metadata: metadata)
        } else {
            logger.info("provider reached through an HTTP proxy", metadata: metadata.merging(
                ["proxy_credentials": proxy.credentials == nil ? "none" : "set"], uniquingKeysWith: { $1 }))
        }
    }

    var consumer: KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: groupID, properties: kafkaProperties)
        configuration.client.clientID = "otp-worker-\(worker.instanceID)"
        configuration.client.statisticsInterval = .seconds(15)
        configuration.sessionTimeout = sessionTimeout
        configuration.heartbeatInterval = heartbeatInterval
        configuration.groupInstanceID = staticInstanceID
        let prefetch = Self.prefetch(maxInFlight: worker.maxInFlight)
        configuration.prefetchRecords = prefetch.records
        configuration.prefetchKilobytes = prefetch.kilobytes
        return configuration
    }

    /// What librdkafka fetches ahead of the worker (`queued.min.messages`,
    /// `queued.max.messages.kbytes`, both counted over all partitions).
    ///
    /// librdkafka's defaults (100,000 records, 64 MB) would pull a whole backlog into memory.
    /// Too little stalls the worker instead: once its queue passes either bound, librdkafka 2.0.2
    /// stops fetching until its broker thread next looks, up to a second later
    /// (`fetch.queue.backoff.ms` came in 2.2.0). So the queue holds a second of the worker's
    /// pace with `maxInFlight` slots and 50 ms provider calls, at about 1 KB a record (OTP
    /// events take a few hundred bytes; much larger ones reach the byte bound first): 20 records
    /// and 20 KB per slot (docs/kafka-layer.md, trap 13; docs/benchmarks.md, "A stall in
    /// fetching").
    static func prefetch(maxInFlight: Int) -> (records: Int, kilobytes: Int) {
        let records = min(max(1000, maxInFlight * 20), 1_000_000)
        return (records, records)
    }

    var producer: KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers, properties: kafkaProperties)
        configuration.client.clientID = "otp-worker-\(worker.instanceID)"
        // Its queue, queue latency and errors per broker, as often as the consumer's figures.
        configuration.client.statisticsInterval = .seconds(15)
        // A record waits for two acknowledgements in turn (its idempotency memory, then its
        // outcome), so each millisecond of linger counts twice in every OTP's latency: 1 ms, not
        // librdkafka's 5 (docs/benchmarks.md).
        configuration.linger = .milliseconds(1)
        // One produce request at a time per broker; the next one batches what arrived meanwhile.
        // With the idempotent producer's five per partition, librdkafka 2.0.2's broker threads
        // spin on poll(0) whenever five are out and more records wait (docs/benchmarks.md,
        // "librdkafka 2.0.2's idempotent producer spins").
        // `--kafka-option max.in.flight.requests.per.connection=5` restores librdkafka's.
        configuration.maxRequestsInFlight = 1
        return configuration
    }
}
