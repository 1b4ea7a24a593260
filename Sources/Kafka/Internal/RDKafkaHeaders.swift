import CRdKafka

/// Converts headers between Swift values and librdkafka's header lists.
enum RDKafkaHeaders {
    /// A new header list, or `nil` when there are no headers. Ownership passes to librdkafka
    /// only if the produce call succeeds; otherwise the caller destroys it.
    static func make(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            // The name with its length rather than as a C string: passing a Swift string where
            // C wants a NUL-terminated one copies a small string into a new array first.
            header.name.withNonNullUTF8 { name, nameCount in
                header.withValueBytes { bytes, count in
                    _ = rd_kafka_header_add(list, name.assumingMemoryBound(to: CChar.self), nameCount, bytes, count)
                }
            }
        }
        return list
    }

    /// Copies the headers of a consumed message (they live only as long as the message).
    static func copy(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        let count = rd_kafka_header_cnt(list)
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(count)
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        for index in 0..<count {
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let name else { continue }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            headers.append(KafkaHeader(name: String(cString: name), value: bytes))
        }
        return headers
    }
}
