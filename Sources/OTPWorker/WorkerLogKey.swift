/// Log metadata keys of the worker (the Kafka layer's are in `KafkaLogKey`).
public enum WorkerLogKey {
    /// The input's `requestId`.
    public static let requestID = "otp.request_id"
    /// The provider's verification id.
    public static let verificationID = "otp.verification_id"
    /// A phone number, always masked.
    public static let phone = "otp.phone"
    /// `send`, `verify` or `decode`.
    public static let stage = "otp.stage"
    /// The failure reason.
    public static let reason = "otp.reason"
    /// `true` on an `otp.sent` that carries a verification already pending for the number
    /// (the provider's 506 named it); absent otherwise.
    public static let resumed = "otp.resumed"
    /// The trace id of the record's span (32 hex digits), on every line about a record while
    /// tracing is on.
    public static let traceID = "trace_id"
}
