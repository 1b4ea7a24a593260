import Kafka
import Primitives

/// The clients a test made, closed when the test ends however it ends: a failed test must not
/// leave consumers polling a cluster that is gone (they would spin and starve later tests), nor
/// hold topics an external cluster is about to delete.
public final class TestClients: Sendable {
    /// The clients of the test running ``withTestCluster(brokers:topics:configs:_:)``.
    @TaskLocal public static var current: TestClients?

    private let producers = Locked<[KafkaProducer]>([])
    private let consumers = Locked<[KafkaConsumer]>([])

    init() {}

    /// Closes `producer` when the test ends.
    public func track(_ producer: KafkaProducer) { producers.withLock { $0.append(producer) } }
    /// Closes `consumer` when the test ends.
    public func track(_ consumer: KafkaConsumer) { consumers.withLock { $0.append(consumer) } }

    /// Closes everything; closing twice is harmless, so tests may close their own first.
    func closeAll() async {
        for consumer in consumers.withLock({ $0 }) { await consumer.close(timeout: .seconds(5)) }
        for producer in producers.withLock({ $0 }) { await producer.close(timeout: .seconds(5)) }
    }

    /// Runs `body` with these as the ``current`` clients, closing them afterwards.
    func run<T: Sendable>(_ cluster: TestKafkaCluster, _ body: (TestKafkaCluster) async throws -> T) async throws -> T {
        do {
            let result = try await TestClients.$current.withValue(self) { try await body(cluster) }
            await closeAll()
            return result
        } catch {
            await closeAll()
            throw error
        }
    }
}
