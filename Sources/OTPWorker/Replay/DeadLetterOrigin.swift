import Kafka
import OTPEvents

/// Where a dead-lettered record was first read and why the worker dead-lettered it, from the
/// `otp.errors.*` headers it gained on the way into the DLQ (``DeadLetterHeaders``).
public struct DeadLetterOrigin: Sendable, Hashable {
    /// `otp.errors.topic`: the input topic as the worker that dead-lettered it named it.
    public var topic: String
    public var partition: Int32?
    public var offset: Int64?
    public var stage: String?
    public var reason: String?
    public var message: String?

    /// Nil when the record carries no `otp.errors.topic`: it was never dead-lettered by a worker.
    public init?(headers: [KafkaHeader]) {
        guard let topic = headers.last(named: "otp.errors.topic")?.stringValue else { return nil }
        self.topic = topic
        partition = headers.last(named: "otp.errors.partition")?.stringValue.flatMap { Int32($0) }
        offset = headers.last(named: "otp.errors.offset")?.stringValue.flatMap { Int64($0) }
        stage = headers.last(named: "otp.errors.stage")?.stringValue
        reason = headers.last(named: "otp.errors.reason")?.stringValue
        message = headers.last(named: "otp.errors.message")?.stringValue
    }

    /// `topic[partition]@offset`, as verdicts name records.
    public var position: String {
        "\(topic)[\(partition.map(String.init) ?? "?")]@\(offset.map(String.init) ?? "?")"
    }
}

extension WorkerTopics {
    /// The input kind of a topic named by its configured name or by the contract's default
    /// one: a DLQ written before the topics were renamed names them the old way. The
    /// configured names are asked first, so a deployment that reuses a default name for the
    /// other input is still read as it is configured.
    public func inputKind(ofTopic name: String) -> OTPInputKind? {
        if name == requested { return .requested }
        if name == submitted { return .submitted }
        let contract = WorkerTopics()
        if name == contract.requested { return .requested }
        if name == contract.submitted { return .submitted }
        return nil
    }

    /// The configured topic of an input kind.
    public func topic(of kind: OTPInputKind) -> String {
        switch kind {
        case .requested: requested
        case .submitted: submitted
        }
    }
}
