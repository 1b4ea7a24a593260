import Kafka
import Logging

/// Publishes the outputs of one record and reports when the brokers acknowledged all of them.
///
/// Rule 2 of the contract: a record is done only when every output is acknowledged. An output
/// the brokers refuse is sent again with backoff (only that one: acknowledged outputs are not
/// repeated) until it is acknowledged or the caller gives up (stop, revocation).
struct OutputPublisher: Sendable {
    let producer: KafkaProducer
    let metrics: PipelineMetrics
    let logger: Logger
    var backoff: ClosedRange<Duration> = .milliseconds(100)...(.seconds(5))

    /// Sends `records` concurrently; true once all are acknowledged, false if `keepTrying`
    /// turned false (or the task was cancelled) first.
    func publish(_ records: [KafkaProducerRecord], keepTrying: @Sendable () -> Bool) async -> Bool {
        var pending = records
        var delay = backoff.lowerBound
        while true {
            pending = await sendAll(pending)
            if pending.isEmpty { return true }
            guard keepTrying(), !Task.isCancelled else { return false }
            metrics.publishRetried()
            do { try await Task.sleep(for: delay) } catch { return false }
            delay = min(delay * 2, backoff.upperBound)
        }
    }

    /// Returns the records that were not acknowledged.
    private func sendAll(_ records: [KafkaProducerRecord]) async -> [KafkaProducerRecord] {
        if records.count == 1 {
            return await send(records[0]) ? [] : records
        }
        return await withTaskGroup(of: KafkaProducerRecord?.self) { group in
            for record in records {
                group.addTask { await send(record) ? nil : record }
            }
            var failed: [KafkaProducerRecord] = []
            for await record in group { if let record { failed.append(record) } }
            return failed
        }
    }

    private func send(_ record: KafkaProducerRecord) async -> Bool {
        do {
            _ = try await producer.send(record)
            return true
        } catch {
            logger.warning("output not acknowledged; will resend", metadata: [
                "topic": "\(record.topic)", KafkaLogKey.error: "\(error.name)",
            ])
            return false
        }
    }
}
