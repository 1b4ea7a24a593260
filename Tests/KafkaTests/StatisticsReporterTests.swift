import Kafka
import Metrics
import MetricsTestKit
import Testing

/// librdkafka's statistics documents as series: what each role reports, that a partition's
/// series go with the partition, and that totals become counters. Each test has a backend of
/// its own, so nothing here touches the process-wide one.
@Suite("librdkafka statistics as metrics")
struct StatisticsReporterTests {
    static func record(_ reporter: KafkaStatisticsReporter, _ json: String) {
        Array(json.utf8).withUnsafeBytes { reporter.record(json: $0) }
    }

    static func gauge(_ metrics: TestMetrics, _ label: String, _ dimensions: [(String, String)]) -> Double? {
        (try? metrics.expectGauge(label, dimensions))?.lastValue
    }

    static func total(_ metrics: TestMetrics, _ label: String, _ dimensions: [(String, String)]) -> Int64? {
        (try? metrics.expectCounter(label, dimensions))?.totalValue
    }

    static let consumerDocument = """
        {"name":"c","type":"consumer","msg_cnt":0,"brokers":{"127.0.0.1:9092/1":{"nodeid":1,"rtt":{"avg":1500}}},
         "topics":{"t":{"partitions":{
            "0":{"consumer_lag":42,"committed_offset":7},
            "1":{"consumer_lag":3,"committed_offset":11},
            "2":{"consumer_lag":9,"committed_offset":-1001},
            "-1":{"consumer_lag":-1}}}}}
        """

    @Test("a consumer reports lag and committed offset of the partitions it owns, and nothing of the others")
    func consumerOwnedPartitions() {
        let metrics = TestMetrics()
        let reporter = KafkaStatisticsReporter(.consumer, factory: metrics)
        reporter.assigned([KafkaTopicPartition(topic: "t", partition: 0), KafkaTopicPartition(topic: "t", partition: 2)])
        Self.record(reporter, Self.consumerDocument)

        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == 42)
        #expect(Self.gauge(metrics, "kafka_committed_offset", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == 7)
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "2")]) == 9)
        #expect(Self.gauge(metrics, "kafka_committed_offset", [("client", "consumer"), ("topic", "t"), ("partition", "2")]) == nil,
                "no committed offset yet: no series")
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "1")]) == nil,
                "partition 1 belongs to another member")
        #expect(metrics.recorders(label: "kafka_consumer_lag").count == 2, "nothing for the unassigned partition -1")
        #expect(Self.gauge(metrics, "kafka_broker_rtt_seconds", [("client", "consumer"), ("broker", "127.0.0.1:9092/1")]) == 0.0015)
        #expect(metrics.recorders(label: "kafka_producer_queue_messages").isEmpty, "producer figures are the producer's")
    }

    @Test("a revoked partition's series go at once, and do not come back with the next document")
    func revokedPartitionsDisappear() {
        let metrics = TestMetrics()
        let reporter = KafkaStatisticsReporter(.consumer, factory: metrics)
        let zero = KafkaTopicPartition(topic: "t", partition: 0)
        let one = KafkaTopicPartition(topic: "t", partition: 1)
        reporter.assigned([zero, one])
        Self.record(reporter, Self.consumerDocument)
        #expect(metrics.recorders(label: "kafka_consumer_lag").count == 2)

        reporter.revoked([zero])
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == nil)
        #expect(Self.gauge(metrics, "kafka_committed_offset", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == nil)
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "1")]) == 3)

        // librdkafka goes on describing a partition after it was given up.
        Self.record(reporter, Self.consumerDocument)
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == nil)
        #expect(metrics.recorders(label: "kafka_consumer_lag").count == 1)

        reporter.assigned([zero])
        Self.record(reporter, Self.consumerDocument)
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == 42, "back with the partition")
    }

    @Test("a series the next document no longer carries goes; closing takes every series")
    func staleSeriesAndClose() {
        let metrics = TestMetrics()
        let reporter = KafkaStatisticsReporter(.consumer, factory: metrics)
        reporter.assigned([KafkaTopicPartition(topic: "t", partition: 0)])
        Self.record(reporter, Self.consumerDocument)
        Self.record(reporter, #"{"brokers":{},"topics":{"t":{"partitions":{"0":{"consumer_lag":-1,"committed_offset":8}}}}}"#)
        #expect(Self.gauge(metrics, "kafka_consumer_lag", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == nil, "lag unknown")
        #expect(Self.gauge(metrics, "kafka_committed_offset", [("client", "consumer"), ("topic", "t"), ("partition", "0")]) == 8)
        #expect(metrics.recorders(label: "kafka_broker_rtt_seconds").isEmpty, "the broker is gone")

        reporter.removeAll()
        #expect(metrics.recorders.isEmpty)
        Self.record(reporter, Self.consumerDocument)
        #expect(metrics.recorders(label: "kafka_consumer_lag").isEmpty, "nothing is owned after close")
    }

    /// A producer's document as librdkafka 2.0.2 writes it, cut to what matters: the bootstrap
    /// entry and the internal broker (`nodeid` -1) are not brokers of the cluster.
    static func producerDocument(errors: Int, retries: Int, timeouts: Int) -> String {
        """
        {"name":"rdkafka#producer-1","client_id":"otp-worker-w1","type":"producer","ts":5016483227792,"time":1527060869,
         "replyq":0,"msg_cnt":22710,"msg_size":704010,"msg_max":500000,"msg_size_max":1073741824,"tx":631,"txmsgs":4300753,
         "brokers":{
           "localhost:9092/bootstrap":{"name":"localhost:9092/bootstrap","nodeid":-1,"state":"UP","rtt":{"avg":0},
             "int_latency":{"avg":0},"txerrs":0,"txretries":0,"req_timeouts":0},
           ":0/internal":{"name":":0/internal","nodeid":-1,"state":"INIT","txerrs":0},
           "localhost:9093/2":{"name":"localhost:9093/2","nodeid":2,"state":"UP","outbuf_cnt":0,"waitresp_cnt":1,
             "tx":320,"txbytes":2158,"txerrs":\(errors),"txretries":\(retries),"req_timeouts":\(timeouts),"rx":318,
             "rtt":{"min":1001,"max":19233,"avg":2500,"sum":95912,"cnt":52,"p99":19233},
             "int_latency":{"min":4,"max":30517,"avg":12000,"sum":9432432,"cnt":312,"p99":30517},
             "toppars":{"otp.sent-0":{"topic":"otp.sent","partition":0}}}},
         "topics":{"otp.sent":{"topic":"otp.sent","partitions":{"0":{"partition":0,"msgq_cnt":10,"consumer_lag":-1,"committed_offset":-1001}}}}}
        """
    }

    @Test("a producer reports its queue, per-broker queue latency and round trip, and its error totals as counters")
    func producerDocument() {
        let metrics = TestMetrics()
        let reporter = KafkaStatisticsReporter(.producer, factory: metrics)
        Self.record(reporter, Self.producerDocument(errors: 2, retries: 5, timeouts: 1))

        let client = [("client", "producer")]
        let broker = client + [("broker", "localhost:9093/2")]
        #expect(Self.gauge(metrics, "kafka_producer_queue_messages", client) == 22710)
        #expect(Self.gauge(metrics, "kafka_producer_queue_bytes", client) == 704_010)
        #expect(Self.gauge(metrics, "kafka_producer_queue_latency_seconds", broker) == 0.012)
        #expect(Self.gauge(metrics, "kafka_broker_rtt_seconds", broker) == 0.0025)
        #expect(Self.total(metrics, "kafka_producer_tx_errors_total", broker) == 2)
        #expect(Self.total(metrics, "kafka_producer_tx_retries_total", broker) == 5)
        #expect(Self.total(metrics, "kafka_producer_request_timeouts_total", broker) == 1)
        #expect(metrics.counters(label: "kafka_producer_tx_errors_total").count == 1, "nothing for the bootstrap and internal entries")
        #expect(metrics.recorders(label: "kafka_producer_queue_latency_seconds").count == 1)
        #expect(metrics.recorders(label: "kafka_consumer_lag").isEmpty, "a producer owns no partitions")

        // librdkafka reports totals; the counters take the difference.
        Self.record(reporter, Self.producerDocument(errors: 3, retries: 5, timeouts: 4))
        #expect(Self.total(metrics, "kafka_producer_tx_errors_total", broker) == 3)
        #expect(Self.total(metrics, "kafka_producer_tx_retries_total", broker) == 5)
        #expect(Self.total(metrics, "kafka_producer_request_timeouts_total", broker) == 4)
    }

    @Test("a malformed document changes nothing")
    func malformed() {
        let metrics = TestMetrics()
        let reporter = KafkaStatisticsReporter(.producer, factory: metrics)
        Self.record(reporter, Self.producerDocument(errors: 0, retries: 0, timeouts: 0))
        let before = metrics.recorders.count
        Self.record(reporter, #"{"msg_cnt":"many"#)
        #expect(metrics.recorders.count == before)
    }
}
