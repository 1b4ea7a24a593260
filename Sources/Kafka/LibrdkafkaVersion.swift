import CRdKafka

/// The version of the librdkafka this process runs with, e.g. `2.0.2`, from
/// `rd_kafka_version_str()`: the loaded library's, which can differ from the headers the
/// build saw. The worker reports it in `otp_build_info`.
public let librdkafkaVersion: String = String(cString: rd_kafka_version_str())
