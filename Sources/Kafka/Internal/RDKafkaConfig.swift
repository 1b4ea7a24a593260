import CRdKafka

/// Builds an `rd_kafka_conf_t`, naming the property librdkafka refused.
enum RDKafkaConfig {
    /// Returns a new configuration object; the caller hands it to `rd_kafka_new` or destroys it.
    static func make(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        for (name, value) in properties {
            do throws(KafkaError) {
                try set(conf, name, value)
            } catch {
                rd_kafka_conf_destroy(conf)
                throw error
            }
        }
        return conf
    }

    /// Properties whose values are credentials (`sasl.password`, `ssl.key.password`, `ssl.key.pem`, ...).
    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "ssl.key.pem", "ssl_key", "token"].contains { lowered.contains($0) }
    }

    private static func set(_ conf: OpaquePointer, _ name: String, _ value: String) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let reason = result == RD_KAFKA_CONF_UNKNOWN ? "unknown property" : "invalid value"
            // librdkafka quotes the value it refused: keep that out of errors for secret properties.
            let detail = text.isEmpty || isSecret(name) ? reason : "\(reason): \(text)"
            throw .configuration(property: name, message: detail)
        }
    }
}
