import CRdKafka
import Primitives

extension KafkaAdmin {
    /// Creates `topics` with one CreateTopics request.
    /// - Throws: `KafkaError` for the first topic the brokers refused (its `message` names the
    ///   topic and the broker's reason, e.g. `TOPIC_AUTHORIZATION_FAILED`), or for the request
    ///   as a whole (a broker that does not implement CreateTopics, a time-out).
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        let handle = self.handle
        let result: Result<Void, KafkaError> = await DedicatedThread.run(name: "rdkafka-admin") {
            var made: [OpaquePointer?] = []
            defer { for topic in made { rd_kafka_NewTopic_destroy(topic) } }
            for topic in topics {
                var errorText = [CChar](repeating: 0, count: 512)
                guard let newTopic = rd_kafka_NewTopic_new(
                    topic.name, Int32(clamping: topic.partitions), Int32(clamping: topic.replicationFactor ?? -1),
                    &errorText, errorText.count)
                else {
                    let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                    return .failure(KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: "topic \(topic.name): \(text)"))
                }
                made.append(newTopic)
                for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                    let err = rd_kafka_NewTopic_set_config(newTopic, name, value)
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        return .failure(KafkaError(err, message: "topic \(topic.name): config \(name)"))
                    }
                }
            }
            return AdminRequest.run(handle, .createTopics, timeout: timeout) { options, queue in
                made.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(handle.pointer, $0.baseAddress, $0.count, options, queue) }
            } result: { event in
                var count = 0
                let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return AdminRequest.firstTopicError(results, count: count)
            }
        }
        serveMainQueue()
        try result.get()
    }

    /// Deletes `topics` with one DeleteTopics request.
    /// - Throws: `KafkaError` for the first topic the brokers did not delete, or for the request.
    public func deleteTopics(_ topics: [String], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        let handle = self.handle
        let result: Result<Void, KafkaError> = await DedicatedThread.run(name: "rdkafka-admin") {
            var made: [OpaquePointer?] = topics.map { rd_kafka_DeleteTopic_new($0) }
            defer { for topic in made { rd_kafka_DeleteTopic_destroy(topic) } }
            return AdminRequest.run(handle, .deleteTopics, timeout: timeout) { options, queue in
                made.withUnsafeMutableBufferPointer { rd_kafka_DeleteTopics(handle.pointer, $0.baseAddress, $0.count, options, queue) }
            } result: { event in
                var count = 0
                let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return AdminRequest.firstTopicError(results, count: count)
            }
        }
        serveMainQueue()
        try result.get()
    }

    /// The configuration of `topic` as the brokers report it (name to value; entries without a
    /// value are left out).
    /// - Throws: `KafkaError` when the brokers cannot tell (an unknown topic, a broker that
    ///   does not implement DescribeConfigs, no permission, a time-out).
    public func topicConfiguration(_ topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> [String: String] {
        let handle = self.handle
        let result: Result<[String: String], KafkaError> = await DedicatedThread.run(name: "rdkafka-admin") {
            var resource: OpaquePointer? = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            var entries: [String: String] = [:]
            let outcome = AdminRequest.run(handle, .describeConfigs, timeout: timeout) { options, queue in
                rd_kafka_DescribeConfigs(handle.pointer, &resource, 1, options, queue)
            } result: { event in
                var count = 0
                guard let resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count),
                    count == 1, let described = resources[0]
                else { return KafkaError(RD_KAFKA_RESP_ERR__BAD_MSG, message: "no configuration for topic \(topic)") }
                let err = rd_kafka_ConfigResource_error(described)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    let text = rd_kafka_ConfigResource_error_string(described).map { String(cString: $0) } ?? ""
                    return KafkaError(err, message: "topic \(topic): \(text)")
                }
                var entryCount = 0
                if let configs = rd_kafka_ConfigResource_configs(described, &entryCount) {
                    for index in 0..<entryCount {
                        guard let entry = configs[index], let name = rd_kafka_ConfigEntry_name(entry),
                            let value = rd_kafka_ConfigEntry_value(entry)
                        else { continue }
                        entries[String(cString: name)] = String(cString: value)
                    }
                }
                return nil
            }
            return outcome.map { entries }
        }
        serveMainQueue()
        return try result.get()
    }
}

/// One admin request: options with the time-outs, a queue of its own for the result event,
/// and the wait for it. Runs on a dedicated thread.
enum AdminRequest {
    enum Operation {
        case createTopics, deleteTopics, describeConfigs

        var api: rd_kafka_admin_op_t {
            switch self {
            case .createTopics: RD_KAFKA_ADMIN_OP_CREATETOPICS
            case .deleteTopics: RD_KAFKA_ADMIN_OP_DELETETOPICS
            case .describeConfigs: RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS
            }
        }
    }

    /// Sends the request with `send` and reads its result event with `result` (nil: success).
    static func run(
        _ handle: RDKafkaHandle, _ operation: Operation, timeout: Duration,
        send: (OpaquePointer?, OpaquePointer?) -> Void, result: (OpaquePointer) -> KafkaError?
    ) -> Result<Void, KafkaError> {
        let milliseconds = Int32(clamping: timeout.milliseconds)
        guard let queue = rd_kafka_queue_new(handle.pointer) else { return .failure(.state("cannot make an admin queue")) }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle.pointer, operation.api)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorText, errorText.count)
        if operation != .describeConfigs {
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorText, errorText.count)
        }
        send(options, queue)
        // The request's own time-out ends it with an event; the margin only guards against none.
        guard let event = rd_kafka_queue_poll(queue, milliseconds + 5_000) else {
            return .failure(KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, message: "no answer to the admin request"))
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            return .failure(KafkaError(err, message: text))
        }
        if let failure = result(event) { return .failure(failure) }
        return .success(())
    }

    /// The first per-topic error of a CreateTopics or DeleteTopics result.
    static func firstTopicError(_ results: UnsafeMutablePointer<OpaquePointer?>?, count: Int) -> KafkaError? {
        guard let results else { return nil }
        for index in 0..<count {
            guard let result = results[index] else { continue }
            let err = rd_kafka_topic_result_error(result)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let name = rd_kafka_topic_result_name(result).map { String(cString: $0) } ?? "?"
            let text = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
            return KafkaError(err, message: "topic \(name): \(text)")
        }
        return nil
    }
}
