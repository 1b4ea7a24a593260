import Kafka
import Logging

/// Everything that handling one record performs, as a plain value: the records to write and
/// in which order, the outcomes to count and the line to log. Nothing here has happened yet;
/// `OTPWorkerService.handle` performs it.
struct RecordPlan: Sendable {
    /// An outcome counted in `otp_outcomes_total` once the stages are acknowledged.
    struct Count: Sendable, Equatable {
        /// Whether an outcome goes out for the first time or again: the `emission` dimension.
        enum Emission: String, Sendable {
            /// Published for the first time: decided now, or adopted from a result decided while
            /// the partition was away and never published.
            case first
            /// A first outcome published again: a repeated key, or the same record read again.
            case reemitted
        }

        var type: String
        /// The failure reason, or `nil` for an outcome that has none.
        var reason: String?
        var emission: Emission
    }

    /// One log line, written once the stages are acknowledged (at once for an abandoned record).
    struct LogLine: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    /// Records to produce in stages: a stage is produced only once the one before it is
    /// wholly acknowledged (see ``OutputPublisher``). Empty when the record is abandoned:
    /// then nothing is written and the record is not marked done.
    var stages: [[KafkaProducerRecord]]
    /// What to count once every stage is acknowledged.
    var counts: [Count]
    /// What to log.
    var log: LogLine

    /// Whether the record is dropped without an outcome (it is read again later).
    var isAbandoned: Bool { stages.isEmpty }
}
