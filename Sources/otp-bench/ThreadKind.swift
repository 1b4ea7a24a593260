/// What a worker thread is, from its name (Linux keeps the first 15 bytes).
enum ThreadKind {
    static func of(_ name: String) -> String {
        // Swift's cooperative pool runs on libdispatch's "com.apple.root.default-qos" threads.
        if name.hasSuffix("default-qos") || name.hasSuffix("qos.overcommit") { return "Swift pool" }
        if name.hasPrefix("NIO-") { return "event loops" }
        if name.hasPrefix("rdk:broker") { return "librdkafka brokers" }
        if name.hasPrefix("rdk:") { return "librdkafka main" }
        if name == "rdkafka-produce" { return "producer poll" }
        if name == "rdkafka-consume" { return "consumer poll" }
        return "other"
    }
}
