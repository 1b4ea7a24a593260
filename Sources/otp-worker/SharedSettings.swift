import ArgumentParser
import OTPWorker

/// The flags `run` and `replay` both take: where the brokers are, what the topics are called,
/// how large an event may be, how old a request may be, how long outcomes are remembered, and
/// librdkafka's own properties. One declaration, so that `replay` judges records by the same
/// names and limits as the worker it debugs.
struct SharedOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers. Env KAFKA_BROKERS; default localhost:9092.")
    var brokers: String?
    @Option(name: .customLong("max-request-age"), help: "Older otp.requested fail REQUEST_EXPIRED. Env OTP_MAX_REQUEST_AGE; default 600s.")
    var maxRequestAge: String?
    @Option(name: .customLong("max-event-bytes"), help: "Larger values are INVALID_EVENT. Env OTP_MAX_EVENT_BYTES; default 65536.")
    var maxEventBytes: Int?
    @Option(name: .customLong("topic-requested"), help: "Env OTP_TOPIC_REQUESTED; default otp.requested.")
    var topicRequested: String?
    @Option(name: .customLong("topic-submitted"), help: "Env OTP_TOPIC_SUBMITTED; default otp.submitted.")
    var topicSubmitted: String?
    @Option(name: .customLong("topic-sent"), help: "Env OTP_TOPIC_SENT; default otp.sent.")
    var topicSent: String?
    @Option(name: .customLong("topic-verified"), help: "Env OTP_TOPIC_VERIFIED; default otp.verified.")
    var topicVerified: String?
    @Option(name: .customLong("topic-failed"), help: "Env OTP_TOPIC_FAILED; default otp.failed.")
    var topicFailed: String?
    @Option(name: .customLong("topic-dlq"), help: "Env OTP_TOPIC_DLQ; default otp.dlq.")
    var topicDLQ: String?
    @Option(name: .customLong("topic-idempotency"), help: "The worker's idempotency memory: compacted, partitioned like the inputs. Env OTP_TOPIC_IDEMPOTENCY; default otp.idempotency.")
    var topicIdempotency: String?
    @Option(name: .customLong("idempotency-retention"), help: "How long outcomes are remembered per requestId/submissionId, at least --max-request-age. Env OTP_IDEMPOTENCY_RETENTION; default 900s.")
    var idempotencyRetention: String?
    @Option(name: .customLong("kafka-option"), help: "A librdkafka property as name=value (repeatable). Env KAFKA_OPTION_*.")
    var kafkaOptions: [String] = []
}

/// ``SharedOptions`` resolved: each flag, else its environment variable (an empty one counts
/// as unset), else the worker's default.
struct SharedSettings {
    var brokers: String
    var topics: WorkerTopics
    var maxEventBytes: Int
    var maxRequestAge: Duration
    /// At least ``maxRequestAge``: a request still young enough to be sent must still be remembered.
    var idempotencyRetention: Duration
    var kafkaProperties: [String: String]

    /// - Throws: `ValidationError` naming the flag or variable at fault.
    init(_ options: SharedOptions, environment: [String: String]) throws {
        let read = SettingsReader(environment: environment)
        brokers = read.value(options.brokers, "KAFKA_BROKERS") ?? "localhost:9092"
        maxRequestAge = try read.duration(options.maxRequestAge, "OTP_MAX_REQUEST_AGE", "--max-request-age", default: .seconds(600))
        maxEventBytes = try read.integer(options.maxEventBytes, "OTP_MAX_EVENT_BYTES", "--max-event-bytes", default: 65_536, range: 64...16_777_216)
        let retention = try read.duration(
            options.idempotencyRetention, "OTP_IDEMPOTENCY_RETENTION", "--idempotency-retention", default: .seconds(900))
        idempotencyRetention = max(retention, maxRequestAge)
        var topics = WorkerTopics()
        topics.requested = read.value(options.topicRequested, "OTP_TOPIC_REQUESTED") ?? topics.requested
        topics.submitted = read.value(options.topicSubmitted, "OTP_TOPIC_SUBMITTED") ?? topics.submitted
        topics.sent = read.value(options.topicSent, "OTP_TOPIC_SENT") ?? topics.sent
        topics.verified = read.value(options.topicVerified, "OTP_TOPIC_VERIFIED") ?? topics.verified
        topics.failed = read.value(options.topicFailed, "OTP_TOPIC_FAILED") ?? topics.failed
        topics.deadLetter = read.value(options.topicDLQ, "OTP_TOPIC_DLQ") ?? topics.deadLetter
        topics.idempotency = read.value(options.topicIdempotency, "OTP_TOPIC_IDEMPOTENCY") ?? topics.idempotency
        self.topics = topics
        var properties = KafkaOptions.fromEnvironment(environment)
        for option in options.kafkaOptions {
            guard let (name, value) = KafkaOptions.parseFlag(option) else {
                throw ValidationError("--kafka-option '\(option)' must look like name=value")
            }
            properties[name] = value
        }
        kafkaProperties = properties
    }
}

/// Reads one setting from its flag, else its environment variable, else a default, and names
/// both the flag and the variable when the value is refused.
struct SettingsReader {
    let environment: [String: String]

    func value(_ flag: String?, _ variable: String) -> String? {
        flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    func duration(_ flag: String?, _ variable: String, _ name: String, default fallback: Duration) throws -> Duration {
        try DurationOption.resolve(flag, flagName: name, variable: variable, environment: environment, default: fallback)
    }

    func integer(_ flag: Int?, _ variable: String, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        let resolved: Int
        if let flag {
            resolved = flag
        } else if let text = environment[variable], !text.isEmpty {
            guard let parsed = Int(text) else { throw ValidationError("\(variable): '\(text)' is not a whole number") }
            resolved = parsed
        } else {
            resolved = fallback
        }
        guard range.contains(resolved) else {
            throw ValidationError("\(name) / \(variable) must be between \(range.lowerBound) and \(range.upperBound), not \(resolved)")
        }
        return resolved
    }
}
