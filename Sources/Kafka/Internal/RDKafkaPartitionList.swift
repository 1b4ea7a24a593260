import CRdKafka

/// Converts between Swift partition maps and `rd_kafka_topic_partition_list_t`.
enum RDKafkaPartitionList {
    /// A new list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ offsets: [KafkaTopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (key, offset) in offsets {
            rd_kafka_topic_partition_list_add(list, key.topic, key.partition).pointee.offset = offset
        }
        return list
    }

    /// A new list without offsets.
    static func make(_ partitions: [KafkaTopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        for key in partitions {
            _ = rd_kafka_topic_partition_list_add(list, key.topic, key.partition)
        }
        return list
    }

    /// Runs `body` with a temporary list.
    static func with<T>(_ offsets: [KafkaTopicPartition: Int64], _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> T) -> T {
        let list = make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return body(list)
    }

    /// Runs `body` with a temporary list without offsets.
    static func with<T>(_ partitions: [KafkaTopicPartition], _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> T) -> T {
        let list = make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return body(list)
    }

    /// Copies a list's partitions (librdkafka owns the list; docs/kafka-layer.md, trap 5: copy
    /// before keeping).
    static func partitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map {
            KafkaTopicPartition(topic: String(cString: elements[$0].topic), partition: elements[$0].partition)
        }
    }

    /// Copies a list's offsets (every element's, failed ones included) and per-partition errors.
    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> (offsets: [KafkaTopicPartition: Int64], failed: [KafkaTopicPartition: KafkaError]) {
        var offsets: [KafkaTopicPartition: Int64] = [:]
        var failed: [KafkaTopicPartition: KafkaError] = [:]
        guard let list, let elements = list.pointee.elems else { return (offsets, failed) }
        for index in 0..<Int(list.pointee.cnt) {
            let element = elements[index]
            let key = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
            offsets[key] = element.offset
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                failed[key] = KafkaError(element.err)
            }
        }
        return (offsets, failed)
    }
}
