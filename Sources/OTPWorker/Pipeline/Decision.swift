import OTPEvents

/// What the pipeline decided for one input record, before anything is published.
///
/// The idempotency memory in this process is already up to date when a decision is returned
/// (``RecordProcessor`` keeps it); ``RecordPlanner`` turns the decision into the records to
/// write, the counts and the log line.
enum Decision: Sendable {
    /// Publish this outcome (`encoded`: its type and payload bytes, encoded once); when
    /// `remember` names an idempotency key, also write it to the idempotency topic so the
    /// memory survives restarts and rebalances.
    case outcome(OTPOutput, encoded: RememberedOutcome, remember: String?)
    /// Re-emit the first outcome of a repeated key, byte for byte.
    case replay(RememberedOutcome)
    /// Publish an outcome this process decided while the record's partition was away, and so
    /// never published: write it to the idempotency topic under `remember`, then publish it
    /// byte for byte. The provider is not called again.
    case adopt(RememberedOutcome, remember: String)
    /// The input is unreadable: publish `failed` (an `otp.failed` of stage decode) and the
    /// record to the DLQ with `message`, remembered under `remember` (the record's position).
    case deadLetter(OTPOutput, encoded: RememberedOutcome, remember: String, message: String)
    /// Drop without an outcome and without marking the record done: it is read again (by this
    /// worker after a restart, or by the partition's next owner).
    case abandon(String)
}
