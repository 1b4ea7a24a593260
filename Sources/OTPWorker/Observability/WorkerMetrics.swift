/// The names of the metrics the worker emits through swift-metrics, fixed so dashboards can rely on them.
///
/// Emitted by the worker:
/// - `otp_outcomes_total{type,reason,emission}` (counter): one per published outcome; `type`
///   is the event type (`otp.sent`, `otp.verified`, `otp.failed`, `otp.dlq`), `reason` the
///   failure reason or `none`, `emission` `first` for an outcome published for the first time
///   and `reemitted` for a first outcome published again (a repeated key, or the same record
///   read again after a crash or a rebalance). `emission="first"` counts each request once.
/// - `otp_provider_request_duration_seconds{operation}` (timer, a Prometheus histogram with
///   ``MetricsSetup/durationBuckets``): one provider call as the pipeline saw it, retries
///   included; `operation` is `send` or `validate`.
/// - `otp_in_flight` (gauge): records taken from Kafka and not yet done.
/// - `otp_paused_partitions` (gauge): partitions paused while provider calls are held
///   (an outage or refused credentials).
/// - `otp_abandoned_total` (counter): records left without an outcome, to be read again
///   (revocation, stop).
/// - `otp_publish_retries_total` (counter): outputs the brokers did not acknowledge, resent.
/// - `otp_traceparent_invalid_total` (counter): inputs whose `traceparent` was not valid W3C
///   Trace Context, so their outputs went out without it (never an error, never a dead letter).
/// - `otp_ready` (gauge): 1 while `/readyz` answers 200, 0 while it answers 503 (``ReadinessState``).
/// - `otp_build_info{version,revision,librdkafka}` (gauge): always 1 (``BuildInfo``).
/// - `otp_guard_decisions_total{rule,action}` (counter): one per send the fraud guard judged;
///   `rule` is the rule that refused (``FraudGuard/GuardRule``) or `none`, `action` `allowed`,
///   `blocked`, `rate_limited`, or in monitor mode `would_block` and `would_rate_limit`.
/// - `otp_guard_verification_ratio{scope,key}` (gauge): the verified share of the five worst
///   prefixes (`scope="prefix"`, `key="44:791112"`) and countries (`key="44"`) that have the
///   conversion rule's minimum sample; a key that leaves the five loses its series.
/// - `otp_guard_blocked{scope}` (gauge): prefixes and countries the conversion rule blocks now.
/// - `otp_guard_view_delay_seconds` (timer): from an `otp.sent`'s `sentAt` to its arrival in
///   this worker's view of the group's sends.
/// - `otp_guard_tracked_numbers` (gauge): numbers with a send inside the number limit's window.
///
/// Emitted by the layers below, documented here so the list is complete:
/// - Kafka (`KafkaStatisticsReporter`, when `statisticsInterval` is set; names in
///   `KafkaStatisticsReporter.Name`): `kafka_consumer_lag{client,topic,partition}` and
///   `kafka_committed_offset{client,topic,partition}` for owned partitions only (gone when a
///   partition is revoked), `kafka_broker_rtt_seconds{client,broker}`, and the producer's
///   `kafka_producer_queue_messages{client}`, `kafka_producer_queue_bytes{client}`,
///   `kafka_producer_queue_latency_seconds{client,broker}`, `kafka_producer_tx_errors_total`,
///   `kafka_producer_tx_retries_total` and `kafka_producer_request_timeouts_total` (`{client,broker}`).
/// - The provider client: `message_central_call_duration_seconds{operation,outcome}`,
///   `message_central_token_fetches_total{outcome}`, `message_central_retries_total{operation}`.
///
/// Dimensions take a small fixed set of values: never ids, phone numbers or codes.
/// Emit each name always as the same kind (counter, gauge, timer) and always with dimensions
/// or always without: swift-prometheus traps on a family that mixes them.
public enum WorkerMetrics {
    /// Counter `otp_outcomes_total`, dimensions ``Dimension/type``, ``Dimension/reason`` and
    /// ``Dimension/emission``.
    public static let outcomes = "otp_outcomes_total"
    /// Timer `otp_provider_request_duration_seconds`, dimension ``Dimension/operation``.
    public static let providerRequestDuration = "otp_provider_request_duration_seconds"
    /// Gauge `otp_in_flight`.
    public static let inFlight = "otp_in_flight"
    /// Gauge `otp_paused_partitions`.
    public static let pausedPartitions = "otp_paused_partitions"
    /// Counter `otp_abandoned_total`.
    public static let abandoned = "otp_abandoned_total"
    /// Counter `otp_publish_retries_total`.
    public static let publishRetries = "otp_publish_retries_total"
    /// Counter `otp_traceparent_invalid_total`.
    public static let traceparentInvalid = "otp_traceparent_invalid_total"
    /// Gauge `otp_ready`: 1 ready, 0 not ready.
    public static let ready = "otp_ready"
    /// Gauge `otp_build_info`, dimensions `version`, `revision` and `librdkafka`, always 1.
    public static let buildInfo = "otp_build_info"
    /// Counter `otp_guard_decisions_total`, dimensions `rule` and `action`.
    public static let guardDecisions = "otp_guard_decisions_total"
    /// Gauge `otp_guard_verification_ratio`, dimensions `scope` and `key`.
    public static let guardVerificationRatio = "otp_guard_verification_ratio"
    /// Gauge `otp_guard_blocked`, dimension `scope`.
    public static let guardBlocked = "otp_guard_blocked"
    /// Timer `otp_guard_view_delay_seconds`.
    public static let guardViewDelay = "otp_guard_view_delay_seconds"
    /// Gauge `otp_guard_tracked_numbers`.
    public static let guardTrackedNumbers = "otp_guard_tracked_numbers"

    /// Dimension (label) names of the worker's metrics.
    public enum Dimension {
        /// The outcome's event type, e.g. `otp.failed`.
        public static let type = "type"
        /// The failure reason, or `none` for successes.
        public static let reason = "reason"
        /// `first` for an outcome's first publication, `reemitted` when it is published again.
        public static let emission = "emission"
        /// The provider operation: `send` or `validate`.
        public static let operation = "operation"
    }
}
