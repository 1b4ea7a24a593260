import KafkaCore

/// The headers of an `otp.dlq` record: the input's own, unchanged, then where it came
/// from and why it failed, after Kafka Connect's dead-letter convention under `otp.errors.`.
public enum DeadLetterHeaders {
    /// The header names this adds, in the order it adds them.
    public static let names = [
        "otp.errors.topic", "otp.errors.partition", "otp.errors.offset",
        "otp.errors.stage", "otp.errors.reason", "otp.errors.message",
    ]

    /// The input's headers with the `otp.errors.*` headers appended as UTF-8 strings.
    ///
    /// - Parameters:
    ///   - original: the input record's headers, kept in order and unchanged.
    ///   - topic: the topic the input was read from.
    ///   - partition: its partition (decimal text).
    ///   - offset: its offset (decimal text).
    ///   - stage: the failure stage, normally `.decode`.
    ///   - reason: the failure reason, normally `INVALID_EVENT`.
    ///   - message: the failure message; it must be free of secrets (`EventDecodingError.message` is).
    public static func headers(
        original: [KafkaHeader],
        topic: String,
        partition: Int32,
        offset: Int64,
        stage: FailureStage,
        reason: String,
        message: String
    ) -> [KafkaHeader] {
        var headers = original
        headers.reserveCapacity(original.count + names.count)
        headers.append(KafkaHeader(name: "otp.errors.topic", string: topic))
        headers.append(KafkaHeader(name: "otp.errors.partition", string: String(partition)))
        headers.append(KafkaHeader(name: "otp.errors.offset", string: String(offset)))
        headers.append(KafkaHeader(name: "otp.errors.stage", string: stage.rawValue))
        headers.append(KafkaHeader(name: "otp.errors.reason", string: reason))
        headers.append(KafkaHeader(name: "otp.errors.message", string: message))
        return headers
    }
}
