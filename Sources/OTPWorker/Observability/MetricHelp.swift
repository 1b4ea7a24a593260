/// The `# HELP` texts of `/metrics`.
///
/// swift-prometheus's swift-metrics factory registers every family with an empty help text,
/// and its registry traps when one name is registered with two texts, so the texts cannot be
/// given at registration. `promtool check metrics` (and Prometheus' metadata API) want them:
/// ``insertingHelp(into:)`` adds them to the rendered text instead.
public enum MetricHelp {
    /// Help text by metric family name, for every family the worker and its libraries emit.
    public static let texts: [String: String] = [
        WorkerMetrics.outcomes: "Published outcomes by event type, failure reason and emission (first or reemitted).",
        WorkerMetrics.providerRequestDuration: "Provider calls as the pipeline saw them, retries included, by operation.",
        WorkerMetrics.inFlight: "Records taken from Kafka and not yet done.",
        WorkerMetrics.pausedPartitions: "Partitions paused while provider calls are held.",
        WorkerMetrics.abandoned: "Records left without an outcome, to be read again (revocation, stop).",
        WorkerMetrics.publishRetries: "Outputs the brokers did not acknowledge, sent again.",
        WorkerMetrics.traceparentInvalid: "Inputs whose traceparent was not valid W3C Trace Context.",
        WorkerMetrics.ready: "1 while /readyz answers 200, 0 while it answers 503.",
        WorkerMetrics.buildInfo: "Always 1; the labels name the worker's version, git revision and librdkafka version.",
        WorkerMetrics.guardDecisions: "Sends the fraud guard judged, by the rule that refused (none) and the action taken.",
        WorkerMetrics.guardVerificationRatio: "Verified share of the five worst prefixes and countries with the conversion rule's minimum sample.",
        WorkerMetrics.guardBlocked: "Prefixes and countries the conversion rule blocks now.",
        WorkerMetrics.guardViewDelay: "Time from an otp.sent's sentAt to its arrival in this worker's view of the group's sends.",
        WorkerMetrics.guardTrackedNumbers: "Numbers with a send inside the number limit's window, in this worker's view.",
        "kafka_consumer_lag": "Records behind the high watermark, per partition this worker owns.",
        "kafka_committed_offset": "Last committed offset, per partition this worker owns.",
        "kafka_broker_rtt_seconds": "Average round trip of requests per broker.",
        "kafka_producer_queue_messages": "Records in the producer's queues, not yet acknowledged.",
        "kafka_producer_queue_bytes": "Bytes of the records in the producer's queues.",
        "kafka_producer_queue_latency_seconds": "Average time a record waited in librdkafka's queue before it was sent, per broker.",
        "kafka_producer_tx_errors_total": "Requests to the broker that failed in transmission.",
        "kafka_producer_tx_retries_total": "Requests to the broker sent again.",
        "kafka_producer_request_timeouts_total": "Requests to the broker that timed out.",
        "message_central_call_duration_seconds": "Provider client calls, every attempt included, by operation and outcome.",
        "message_central_token_fetches_total": "Requests to the provider's token endpoint, by outcome.",
        "message_central_retries_total": "Retries of transient provider failures, by operation.",
    ]

    /// `text` (Prometheus exposition format) with a `# HELP` line before each `# TYPE` line of
    /// a family that has a text in ``texts`` and no `# HELP` line of its own.
    public static func insertingHelp(into text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 2_048)
        var previous: Substring = ""
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP "),
               let name = line.dropFirst(7).split(separator: " ").first, let help = texts[String(name)] {
                output.append(contentsOf: "# HELP \(name) \(help)\n".utf8)
            }
            output.append(contentsOf: line.utf8)
            output.append(UInt8(ascii: "\n"))
            previous = line
        }
        // split keeps the text's final empty piece; it got a newline of its own.
        if text.last == UInt8(ascii: "\n") || text.isEmpty { output.removeLast() }
        return output
    }
}
