import FraudGuard
/// The topic names the worker reads and writes (all configurable; defaults from the contract).
public struct WorkerTopics: Sendable, Hashable {
    public var requested = "otp.requested"
    public var submitted = "otp.submitted"
    public var sent = "otp.sent"
    public var verified = "otp.verified"
    public var failed = "otp.failed"
    public var deadLetter = "otp.dlq"
    /// The worker's idempotency memory: compacted, co-partitioned with the inputs.
    public var idempotency = "otp.idempotency"

    /// The contract's default names.
    public init() {}

    /// The two input topics.
    public var inputs: [String] { [requested, submitted] }

    /// Every topic the worker needs, inputs first.
    public var all: [String] { [requested, submitted, sent, verified, failed, deadLetter, idempotency] }

    /// The output topic of an event type (`otp.sent`, `otp.verified`, `otp.failed`).
    func output(forType type: String) -> String {
        switch type {
        case "otp.sent": sent
        case "otp.verified": verified
        default: failed
        }
    }
}

/// How the worker behaves, read once at the edge (flags, environment) and passed in.
public struct WorkerConfiguration: Sendable {
    /// Topic names.
    public var topics = WorkerTopics()
    /// Records before their decision at once (waiting behind their key, or running up to and
    /// through the provider call); decided records waiting for their outputs' acknowledgements
    /// come on top, up to this plus half of it (at least one) in all. `--max-in-flight`.
    public var maxInFlight = 256
    /// An `otp.requested` older than this is not sent (`REQUEST_EXPIRED`); `--max-request-age`.
    public var maxRequestAge: Duration = .seconds(600)
    /// Covers every attempt of one provider call, token fetches included; `--provider-deadline`.
    public var providerDeadline: Duration = .seconds(30)
    /// Bounds a graceful stop: in-flight work is finished or abandoned by then; `--shutdown-deadline`.
    public var shutdownDeadline: Duration = .seconds(20)
    /// A record whose value is larger is `INVALID_EVENT`; `--max-event-bytes`.
    public var maxEventBytes = 65_536
    /// Names this process in `ce_source` (`urn:otp-worker:INSTANCE`); `--instance-id`.
    public var instanceID: String
    /// How long idempotency keys are remembered; at least `maxRequestAge` (docs/events.md,
    /// processing rule 4).
    public var idempotencyRetention: Duration = .seconds(900)
    /// Bound on remembered idempotency keys; the oldest finished ones go first.
    public var idempotencyCapacity = 200_000
    /// Copies of each partition of the idempotency topic when the worker creates it; `nil`
    /// leaves it to the broker's default. `--internal-replication-factor`.
    public var internalReplicationFactor: Int?
    /// The fraud guard's rules (`--guard` and `--guard-*`). Off unless set: `otp-worker run`
    /// sets the contract's defaults (enforce, `5/10m` per number, conversion `0.2/1h/30`).
    public var guardPolicy: GuardPolicy = {
        var policy = GuardPolicy()
        policy.mode = .off
        return policy
    }()
    /// Backoff between probes while provider calls are held.
    public var probeBackoff: ClosedRange<Duration> = .milliseconds(250)...(.seconds(15))

    /// Defaults from the contract, for this instance.
    public init(instanceID: String) {
        self.instanceID = instanceID
    }

    /// The `ce_source` of every output: distinct per process.
    public var source: String { "urn:otp-worker:\(instanceID)" }

    /// What the worker needs of its idempotency topic, on the brokers at `bootstrapServers`.
    public func idempotencyTopic(bootstrapServers: String) -> IdempotencyTopicRequirement {
        IdempotencyTopicRequirement(
            topic: topics.idempotency, inputs: topics.inputs, retention: effectiveRetention,
            replicationFactor: internalReplicationFactor, bootstrapServers: bootstrapServers)
    }

    /// Retention actually used: never below the maximum request age.
    var effectiveRetention: Duration { max(idempotencyRetention, maxRequestAge) }
}
