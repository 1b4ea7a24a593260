#ifndef OTP_WORKER_KAFKA_BASELINE_H
#define OTP_WORKER_KAFKA_BASELINE_H

/*
 * librdkafka driven directly from C, as a tuned application would: the
 * baseline that kafka-bench measures the Swift wrapper against. Same
 * properties as the wrapper's defaults (idempotence, linger.ms=5).
 */

/// Produces `count` records (key "k<n>", `value_size` bytes of value) to
/// `topic` and waits for every acknowledgement. Returns the seconds taken
/// from the first enqueue to the last acknowledgement, or -1 on failure.
double otp_baseline_produce(const char *brokers, const char *topic, long count, int value_size);

/// Joins a new group, reads `count` records of `topic` from the beginning and
/// returns the seconds from the first record to the last, or -1 on failure.
double otp_baseline_consume(const char *brokers, const char *topic, long count, const char *fetch_wait_ms);

#endif
