import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Logging
import MessageCentral
import OTPEvents
import OTPWorker

/// `otp-worker replay`: re-reads a topic range and shows what the worker would do, or copies
/// the range into an input topic.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-read a topic range for debugging (a dry run unless told otherwise).",
        discussion: """
            Reads without joining the worker's group and without committing. For each record it \
            shows the decode result, the expiry judgement, whether the idempotency memory already \
            holds its first outcome, and the provider call the worker would make. Choose the range \
            by partition and offsets, by time, or by requestId (searched in the range).

            Topic names, --max-event-bytes, --max-request-age, --idempotency-retention and Kafka \
            options are read as run reads them (flags, then OTP_TOPIC_*, OTP_MAX_EVENT_BYTES, \
            KAFKA_OPTION_* and the rest), so records are judged by the worker's own settings. A \
            record of the DLQ is judged as a record of the input its otp.errors.topic header \
            names (the default or the configured name), beside the reason it was dead-lettered.

            It never calls the provider unless --call-provider is given (then with the run \
            command's provider flags; expiry still applies). --republish sends each dead letter \
            back to its own input topic; --republish-to sends the whole range to one topic. Both \
            only print the plan (topic, key, offset) unless --execute is given; the copies keep \
            the original keys, headers and timestamps, lose the otp.errors.* headers and gain an \
            otp_replay_of header. \(DurationOption.help)

            Examples:
              otp-worker replay --topic otp.dlq --since 2026-11-26T09:00:00Z
              otp-worker replay --topic otp.requested --partition 3 --from 1200 --to 1300 --format json
              otp-worker replay --topic otp.dlq --request-id r-42 --republish
              otp-worker replay --topic otp.dlq --republish --limit 100 --execute
            """
    )

    /// Brokers, topic names, size and age limits, idempotency retention and librdkafka
    /// properties, read exactly as `run` reads them: replay judges by the worker's own settings.
    @OptionGroup var shared: SharedOptions
    @Option(help: "The topic to read.")
    var topic: String
    @Option(help: "A partition to read (repeatable); all when absent.")
    var partition: [Int32] = []
    @Option(help: "First offset (inclusive).")
    var from: Int64?
    @Option(help: "Last offset (inclusive).")
    var to: Int64?
    @Option(help: "Records at or after this time (RFC 3339).")
    var since: String?
    @Option(help: "Records before this time (RFC 3339).")
    var until: String?
    @Option(name: .customLong("request-id"), help: "Only records with this requestId.")
    var requestID: String?
    @Option(name: .customLong("verification-id"), help: "Only records with this verificationId.")
    var verificationID: String?
    @Option(help: "Only records with this key.")
    var key: String?
    @Option(help: "At most this many records shown or re-published (after the filters).")
    var limit: Int?
    @Option(help: "text or json (one object per line).")
    var format = "text"
    @Flag(help: "Send each dead letter back to the input topic it came from (otp.errors.topic, through the --topic-* names). A dry run without --execute.")
    var republish = false
    @Option(name: .customLong("republish-to"), help: "Copy the range into this topic instead of inspecting it. A dry run without --execute.")
    var republishTo: String?
    @Flag(help: "With --republish or --republish-to: really write; without it the plan is only printed.")
    var execute = false
    @Flag(name: .customLong("call-provider"), help: "Really call the provider for records the worker would send or validate.")
    var callProvider = false
    @Option(name: .customLong("provider-url"), help: "With --call-provider. Env MESSAGE_CENTRAL_BASE_URL.")
    var providerURL: String?
    @Option(name: .customLong("provider-proxy"), help: "With --call-provider; as for run (env https_proxy, NO_PROXY and the rest).")
    var providerProxy: String?
    @Option(name: .customLong("customer-id"), help: "With --call-provider. Env MESSAGE_CENTRAL_CUSTOMER_ID.")
    var customerID: String?
    @Option(name: .customLong("password-file"), help: "With --call-provider (or MESSAGE_CENTRAL_PASSWORD[_FILE]).")
    var passwordFile: String?

    func validate() throws {
        // The variables as well as the flags: a bad value stops the command before it connects.
        _ = try SharedSettings(shared, environment: ProcessInfo.processInfo.environment)
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        if since != nil, parseDate(since!) == nil { throw ValidationError("--since must be an RFC 3339 time, e.g. 2026-11-26T09:00:00Z") }
        if until != nil, parseDate(until!) == nil { throw ValidationError("--until must be an RFC 3339 time, e.g. 2026-11-26T10:00:00Z") }
        if let from, let to, from > to { throw ValidationError("--from must not be after --to") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if republish, republishTo != nil { throw ValidationError("--republish and --republish-to do not go together") }
        if callProvider, republish || republishTo != nil { throw ValidationError("--call-provider and --republish do not go together") }
        if execute, !republish, republishTo == nil { throw ValidationError("--execute goes with --republish or --republish-to") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        LoggingSetup.bootstrap(format: .human, level: .warning)
        let logger = Logger(label: "otp-worker.replay")
        let settings = try SharedSettings(shared, environment: environment)
        var consumer = KafkaConsumerConfiguration(bootstrapServers: settings.brokers, groupID: nil, properties: settings.kafkaProperties)
        consumer.client.clientID = "otp-worker-replay"
        var range = ReplayRange(topic: topic)
        range.partitions = partition.isEmpty ? nil : partition
        range.fromOffset = from
        range.toOffset = to
        range.since = since.flatMap(parseDate)
        range.until = until.flatMap(parseDate)
        range.requestId = requestID
        range.verificationId = verificationID
        range.key = key
        range.limit = limit
        let progress: @Sendable (Int, Int) -> Void = { done, total in
            var output = StandardStream.standardError
            output.write("replay: \(done) of \(total) records\n")
        }

        if republish || republishTo != nil {
            let destination: ReplayDestination = republishTo.map(ReplayDestination.topic) ?? .original
            let producer = execute
                ? try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: settings.brokers, properties: settings.kafkaProperties), logger: logger)
                : nil
            let count = try await Replay.republish(
                range, to: destination, topics: settings.topics, consumerConfiguration: consumer, producer: producer,
                maxEventBytes: settings.maxEventBytes, logger: logger, progress: progress) { step in print(step.text) }
            await producer?.close()
            print(execute
                ? "republished \(count) records from \(topic)"
                : "dry run: \(count) records from \(topic) would be republished; add --execute to write them")
            return
        }

        let format = self.format
        let emit: (ReplayVerdict) async throws -> Void = { verdict in print(format == "json" ? verdict.json : verdict.text) }
        guard callProvider else {
            try await Replay.inspect(range, consumerConfiguration: consumer, topics: settings.topics, maxEventBytes: settings.maxEventBytes,
                                     maxRequestAge: settings.maxRequestAge, idempotencyRetention: settings.idempotencyRetention,
                                     guardPolicy: settings.guardPolicy, logger: logger, progress: progress, emit: emit)
            return
        }
        let provider = try providerConfiguration(environment)
        _ = try await MessageCentralClient.withClient(configuration: provider, logger: logger) { client in
            try await Replay.inspect(range, consumerConfiguration: consumer, topics: settings.topics, maxEventBytes: settings.maxEventBytes,
                                     maxRequestAge: settings.maxRequestAge, idempotencyRetention: settings.idempotencyRetention,
                                     provider: client, guardPolicy: settings.guardPolicy, logger: logger, progress: progress, emit: emit)
        }
    }

    private func providerConfiguration(_ environment: [String: String]) throws -> MessageCentralConfiguration {
        guard let customerID = customerID ?? environment["MESSAGE_CENTRAL_CUSTOMER_ID"] else {
            throw ValidationError("--call-provider needs --customer-id or MESSAGE_CENTRAL_CUSTOMER_ID")
        }
        let password = try RunSettings.password(passwordFile, environment: environment)
        let baseURL = providerURL ?? environment["MESSAGE_CENTRAL_BASE_URL"] ?? MessageCentralConfiguration.productionBaseURL
        let proxy = try RunSettings.proxy(providerProxy, environment: environment, baseURL: baseURL)
        return MessageCentralConfiguration(baseURL: baseURL, customerID: customerID, password: Secret(password), proxy: proxy?.proxy)
    }
}

private func parseDate(_ text: String) -> Date? {
    RFC3339.parse(text)
}
