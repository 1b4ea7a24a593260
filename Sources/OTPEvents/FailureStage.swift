/// Where an input failed, as `otp.failed` reports it in `stage`.
public enum FailureStage: String, Sendable, Hashable, CaseIterable {
    /// Sending the code (the input was an `otp.requested`).
    case send
    /// Checking the code (the input was an `otp.submitted`).
    case verify
    /// Reading the input (unreadable, a null value, or a broken field rule); the record also goes to `otp.dlq`.
    case decode
}
