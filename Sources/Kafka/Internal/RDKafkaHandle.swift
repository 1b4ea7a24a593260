import CRdKafka
import Logging
import Primitives

/// Owns one `rd_kafka_t` and keeps its callbacks object alive for as long as the handle lives.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_t` as thread-safe for every call we
/// make on it; the pointer itself never changes after `init`, and `destroy` runs once, after
/// every other user has stopped (the owners guarantee that through their own state).
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let callbacks: RDKafkaCallbacks

    init(type: rd_kafka_type_t, properties: [(String, String)], callbacks: RDKafkaCallbacks) throws(KafkaError) {
        let conf = try RDKafkaConfig.make(properties)
        callbacks.install(on: conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)  // rd_kafka_new takes the conf only when it succeeds
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, message: "cannot create client: \(text)")
        }
        self.pointer = handle
        self.callbacks = callbacks
        // Logs arrive on the main queue and are served by our poll thread (docs/kafka-layer.md, trap 10).
        rd_kafka_set_log_queue(handle, nil)
    }

    /// Destroys the handle on a dedicated thread, waiting at most `timeout` (docs/kafka-layer.md,
    /// trap 9: destroy can hang after a broker restart in 2.0.2). Returns false when it did not
    /// finish in time; the thread then goes on alone and the callbacks object stays alive with it.
    func destroy(timeout: Duration) async -> Bool {
        let finished = await DedicatedThread.run(name: "rdkafka-destroy", timeout: timeout) { [self] in
            rd_kafka_destroy(pointer)
            return true
        }
        if finished == nil {
            callbacks.logger.warning("librdkafka destroy did not finish in time; leaving it to finish alone")
        }
        return finished ?? false
    }
}
