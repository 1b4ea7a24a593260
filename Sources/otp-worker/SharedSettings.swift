import ArgumentParser
import FraudGuard
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
    @Option(name: .customLong("guard"), help: "Fraud guard: enforce, monitor (decide, count and log, never refuse) or off. Env OTP_GUARD; default enforce.")
    var guardMode: String?
    @Option(name: .customLong("guard-number-limit"), help: "Sends to one number per sliding window, COUNT/DURATION or off. Env OTP_GUARD_NUMBER_LIMIT; default 5/10m.")
    var guardNumberLimit: String?
    @Option(name: .customLong("guard-prefix-limit"), help: "Sends to one prefix (the number without its last four digits) per window. Env OTP_GUARD_PREFIX_LIMIT; default off.")
    var guardPrefixLimit: String?
    @Option(name: .customLong("guard-country-limit"), help: "Sends to one country calling code per window. Env OTP_GUARD_COUNTRY_LIMIT; default off.")
    var guardCountryLimit: String?
    @Option(name: .customLong("guard-global-limit"), help: "All sends of the group per window (a spend cap). Env OTP_GUARD_GLOBAL_LIMIT; default off.")
    var guardGlobalLimit: String?
    @Option(name: .customLong("guard-allow-countries"), help: "Comma-separated calling codes; any other is SEND_BLOCKED. Env OTP_GUARD_ALLOW_COUNTRIES; default all.")
    var guardAllowCountries: String?
    @Option(name: .customLong("guard-deny-prefixes"), help: "Comma-separated CC:digits prefixes that are SEND_BLOCKED, e.g. 44:70,44:871. Env OTP_GUARD_DENY_PREFIXES; default none.")
    var guardDenyPrefixes: String?
    @Option(name: .customLong("guard-min-conversion"), help: "SHARE/DURATION/SAMPLE: a prefix or country with SAMPLE resolved sends in DURATION, verified below SHARE, is SEND_BLOCKED until it recovers; or off. Env OTP_GUARD_MIN_CONVERSION; default 0.2/1h/30.")
    var guardMinConversion: String?
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
    /// The fraud guard's rules.
    var guardPolicy: GuardPolicy

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
        guardPolicy = try Self.guardPolicy(options, read)
    }

    private static func guardPolicy(_ options: SharedOptions, _ read: SettingsReader) throws -> GuardPolicy {
        var policy = GuardPolicy()
        do {
            if let text = read.value(options.guardMode, "OTP_GUARD") {
                guard let mode = GuardMode(rawValue: text) else {
                    throw ValidationError("--guard / OTP_GUARD: '\(text)' is not enforce, monitor or off")
                }
                policy.mode = mode
            }
            func limit(_ flag: String?, _ variable: String, _ name: String, _ fallback: RateLimit?) throws -> RateLimit? {
                guard let text = read.value(flag, variable) else { return fallback }
                return try RateLimit.parse(text, flag: "\(name) / \(variable)")
            }
            policy.numberLimit = try limit(options.guardNumberLimit, "OTP_GUARD_NUMBER_LIMIT", "--guard-number-limit", policy.numberLimit)
            policy.prefixLimit = try limit(options.guardPrefixLimit, "OTP_GUARD_PREFIX_LIMIT", "--guard-prefix-limit", nil)
            policy.countryLimit = try limit(options.guardCountryLimit, "OTP_GUARD_COUNTRY_LIMIT", "--guard-country-limit", nil)
            policy.globalLimit = try limit(options.guardGlobalLimit, "OTP_GUARD_GLOBAL_LIMIT", "--guard-global-limit", nil)
            if let text = read.value(options.guardMinConversion, "OTP_GUARD_MIN_CONVERSION") {
                policy.minConversion = try ConversionRule.parse(text, flag: "--guard-min-conversion / OTP_GUARD_MIN_CONVERSION")
            }
            if let text = read.value(options.guardAllowCountries, "OTP_GUARD_ALLOW_COUNTRIES") {
                policy.allowCountries = try GuardPolicy.parseAllowCountries(text)
            }
            if let text = read.value(options.guardDenyPrefixes, "OTP_GUARD_DENY_PREFIXES") {
                policy.denyPrefixes = try GuardPolicy.parseDenyPrefixes(text)
            }
        } catch let error as GuardSettingError {
            throw ValidationError(error.description)
        }
        return policy
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
