import CRdKafka
import Logging

/// What librdkafka calls back into, reached through the handle's opaque pointer.
///
/// All callbacks run on our own poll thread: logs are routed through a queue
/// (`log.queue=true`), and errors, statistics, delivery reports and rebalances are served by
/// `rd_kafka_poll` / `rd_kafka_consumer_poll`. None of them may block for long.
final class RDKafkaCallbacks: Sendable {
    typealias CommitHandler = @Sendable (_ err: rd_kafka_resp_err_t, _ offsets: [KafkaTopicPartition: Int64], _ failed: [KafkaTopicPartition: KafkaError]) -> Void
    typealias RebalanceHandler = @Sendable (_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void

    let logger: Logger
    let statistics: KafkaStatisticsReporter
    let onError: @Sendable (KafkaError) -> Void
    /// The producer's pending deliveries, read once per record by `deliveryCallback` without
    /// retaining them: a retain there would write the table's reference count for every record,
    /// on a cache line the producing side reads. `keepDeliveries` holds the reference that keeps
    /// the table alive as long as these callbacks.
    let deliveries: Unmanaged<DeliveryTable>?
    private let keepDeliveries: DeliveryTable?
    let onRebalance: RebalanceHandler?
    let onCommit: CommitHandler?

    init(
        logger: Logger, statistics: KafkaStatisticsReporter,
        onError: @escaping @Sendable (KafkaError) -> Void,
        deliveries: DeliveryTable? = nil, onRebalance: RebalanceHandler? = nil, onCommit: CommitHandler? = nil
    ) {
        self.onCommit = onCommit
        self.logger = logger
        self.statistics = statistics
        self.onError = onError
        self.deliveries = deliveries.map { Unmanaged.passUnretained($0) }
        self.keepDeliveries = deliveries
        self.onRebalance = onRebalance
    }

    /// Installs the C callbacks on `conf`; `self` must outlive the handle made from it.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        rd_kafka_conf_set_stats_cb(conf, statisticsCallback)
        if deliveries != nil { rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback) }
        if onRebalance != nil { rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback) }
        if onCommit != nil { rd_kafka_conf_set_offset_commit_cb(conf, commitCallback) }
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        opaque.map { Unmanaged<RDKafkaCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }
}

private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, text in
    guard let rk, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(rk)) else { return }
    let message = text.map { String(cString: $0) } ?? ""
    let facilityName = facility.map { String(cString: $0) } ?? ""
    callbacks.logger.log(
        level: Logger.Level(syslog: level), "\(message)",
        metadata: [KafkaLogKey.facility: "\(facilityName)"])
}

private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, code, reason, opaque in
    guard let callbacks = RDKafkaCallbacks.from(opaque) else { return }
    var err = rd_kafka_resp_err_t(rawValue: code)
    var text = reason.map { String(cString: $0) } ?? ""
    if err == RD_KAFKA_RESP_ERR__FATAL, let rk {
        // The fatal event names a generic code; the cause is read separately (docs/kafka-layer.md, trap 8).
        var buffer = [CChar](repeating: 0, count: 512)
        err = rd_kafka_fatal_error(rk, &buffer, buffer.count)
        text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        callbacks.onError(KafkaError(err, message: text, isRetriable: false, isFatal: true))
    } else {
        callbacks.onError(KafkaError(err, message: text))
    }
}

private let statisticsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, json, length, opaque in
    guard let json, let callbacks = RDKafkaCallbacks.from(opaque) else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: json, count: length)
    callbacks.statistics.record(json: bytes)
    return 0  // 0: librdkafka frees the JSON
}

private let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let opaque, let id = message.pointee._private,
        let deliveries = Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque)._withUnsafeGuaranteedRef({ $0.deliveries })
    else { return }
    // Once per record: borrow the table rather than retain it (see `deliveries`).
    deliveries._withUnsafeGuaranteedRef { deliveries in
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            deliveries.complete(id, topic: m.rkt, .success((m.partition, m.offset)))
        } else {
            var error = KafkaError(m.err)
            error.persistence = KafkaError.Persistence(rd_kafka_message_status(message))
            if m.err == RD_KAFKA_RESP_ERR__FATAL { error.isFatal = true }
            deliveries.complete(id, topic: m.rkt, .failure(error))
        }
    }
}

private let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, partitions, opaque in
    guard let rk, let partitions, let callbacks = RDKafkaCallbacks.from(opaque), let onRebalance = callbacks.onRebalance else {
        if let rk { rd_kafka_assign(rk, nil) }
        return
    }
    onRebalance(rk, err, partitions)
}

private let commitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, err, partitions, opaque in
    guard let callbacks = RDKafkaCallbacks.from(opaque), let onCommit = callbacks.onCommit else { return }
    let (offsets, failed) = RDKafkaPartitionList.read(partitions)
    onCommit(err, offsets, failed)
}

extension KafkaError.Persistence {
    init(_ status: rd_kafka_msg_status_t) {
        switch status {
        case RD_KAFKA_MSG_STATUS_NOT_PERSISTED: self = .notPersisted
        case RD_KAFKA_MSG_STATUS_PERSISTED: self = .persisted
        default: self = .possiblyPersisted
        }
    }
}

extension Logger.Level {
    /// librdkafka logs with syslog levels (0 emergency ... 7 debug).
    init(syslog level: Int32) {
        switch level {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
