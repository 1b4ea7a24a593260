import Kafka
import Logging

/// Everything that handling one record performs, as a plain value: the records to write and
/// in which order, the outcomes to count and the line to log. Nothing here has happened yet;
/// `OTPWorkerService.handle` performs it.
struct RecordPlan: Sendable {
    /// An outcome counted in `otp_worker_outcomes_total` once the stages are acknowledged.
    struct Count: Sendable, Equatable {
        var type: String
        /// The failure reason, or `nil` for an outcome that has none.
        var reason: String?
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
