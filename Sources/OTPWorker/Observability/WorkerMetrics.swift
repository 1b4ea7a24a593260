/// The names of the metrics the worker emits through swift-metrics, fixed so dashboards can rely on them.
///
/// Emitted by the worker:
/// - `otp_outcomes_total{type,reason}` (counter): one per published outcome; `type` is the
///   event type (`otp.sent`, `otp.verified`, `otp.failed`, `otp.dlq`), `reason` the failure
///   reason or `none`.
/// - `otp_provider_request_duration_seconds{operation}` (timer, a Prometheus histogram with
///   ``MetricsSetup/durationBuckets``): one provider call as the pipeline saw it, retries
///   included; `operation` is `send` or `validate`.
/// - `otp_in_flight` (gauge): records taken from Kafka and not yet done.
/// - `otp_paused_partitions` (gauge): partitions paused while provider calls are held
///   (an outage or refused credentials).
/// - `otp_idempotent_replays_total` (counter): first outcomes re-emitted for repeated keys.
/// - `otp_abandoned_total` (counter): records left without an outcome, to be read again
///   (revocation, stop).
/// - `otp_publish_retries_total` (counter): outputs the brokers did not acknowledge, resent.
/// - `otp_traceparent_invalid_total` (counter): inputs whose `traceparent` was not valid W3C
///   Trace Context, so their outputs went out without it (never an error, never a dead letter).
///
/// Emitted by the layers below, documented here so the list is complete:
/// - Kafka (`KafkaStatisticsReporter`, when `statisticsInterval` is set):
///   `kafka_consumer_lag{client,topic,partition}`, `kafka_committed_offset{client,topic,partition}`,
///   `kafka_queued_messages{client}`, `kafka_broker_rtt_seconds{client,broker}`.
/// - The provider client: `message_central_call_duration_seconds{operation,outcome}`,
///   `message_central_token_fetches_total{outcome}`, `message_central_retries_total{operation}`.
///
/// Dimensions take a small fixed set of values: never ids, phone numbers or codes.
/// Emit each name always as the same kind (counter, gauge, timer) and always with dimensions
/// or always without: swift-prometheus traps on a family that mixes them.
public enum WorkerMetrics {
    /// Counter `otp_outcomes_total`, dimensions ``Dimension/type`` and ``Dimension/reason``.
    public static let outcomes = "otp_outcomes_total"
    /// Timer `otp_provider_request_duration_seconds`, dimension ``Dimension/operation``.
    public static let providerRequestDuration = "otp_provider_request_duration_seconds"
    /// Gauge `otp_in_flight`.
    public static let inFlight = "otp_in_flight"
    /// Gauge `otp_paused_partitions`.
    public static let pausedPartitions = "otp_paused_partitions"
    /// Counter `otp_idempotent_replays_total`.
    public static let idempotentReplays = "otp_idempotent_replays_total"
    /// Counter `otp_abandoned_total`.
    public static let abandoned = "otp_abandoned_total"
    /// Counter `otp_publish_retries_total`.
    public static let publishRetries = "otp_publish_retries_total"
    /// Counter `otp_traceparent_invalid_total`.
    public static let traceparentInvalid = "otp_traceparent_invalid_total"

    /// Dimension (label) names of the worker's metrics.
    public enum Dimension {
        /// The outcome's event type, e.g. `otp.failed`.
        public static let type = "type"
        /// The failure reason, or `none` for successes.
        public static let reason = "reason"
        /// The provider operation: `send` or `validate`.
        public static let operation = "operation"
    }
}
