/// Told when the group gives this consumer partitions or takes them away.
///
/// `partitionsRevoked` is awaited, up to the consumer's `revocationTimeout`, before the
/// finished offsets of those partitions are committed and the partitions handed over: finish
/// or abandon in-flight work of those partitions there, and mark finished records done.
public protocol KafkaRebalanceListener: Sendable {
    /// The consumer now owns `partitions`; records from them follow once this returns. Awaited
    /// (up to the consumer's `revocationTimeout`) on the poll thread, so keep it short.
    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) async
    /// The consumer is about to give up `partitions`. Records of those partitions not yet handed
    /// out were dropped; results marked done after this returns are ignored.
    /// - Parameter lost: true when the partitions were already taken (session lost): their
    ///   offsets can no longer be committed, and another member may be processing them.
    func partitionsRevoked(_ partitions: [KafkaTopicPartition], lost: Bool) async
}

/// Where a manually assigned partition starts.
public enum KafkaOffset: Sendable, Hashable {
    /// The oldest record still stored.
    case beginning
    /// The next record written.
    case end
    /// The group's committed offset (or the reset policy when there is none).
    case committed
    /// A specific offset.
    case exactly(Int64)
}
