import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import OTPWorker
import TestSupport
import Testing

/// A running worker's /metrics, after real work, passes `promtool check metrics`, and every
/// metric the Grafana dashboard and the alerting rules read is one the worker exports.
@Suite("A running worker's /metrics against promtool, the dashboard and the alerts", .timeLimit(.minutes(3)))
struct ScrapedMetricsTests {
    /// The repository root: this file is in Tests/OTPWorkerTests/EndToEnd/.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Names that are exported only once something happens (a retry, an abandoned record), so
    /// a short run may not show them: the catalog of help texts lists every name, and promtool
    /// (no help text) keeps the catalog honest about the names a scrape does show.
    static var catalog: Set<String> {
        var names = Set(MetricHelp.texts.keys)
        for histogram in [WorkerMetrics.providerRequestDuration, WorkerMetrics.guardViewDelay, "message_central_call_duration_seconds"] {
            names.formUnion(["_bucket", "_sum", "_count"].map { histogram + $0 })
        }
        return names
    }

    static var promtool: URL? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Scrapes a worker that has sent one OTP and dead-lettered one record.
    func scrape() async throws -> String {
        try await withWorkerStack(partitions: 2) { stack in
            let child = try ChildWorker(
                name: "scrape",
                arguments: [
                    "--brokers", stack.cluster.bootstrapServers, "--group-id", stack.group,
                    "--provider-url", stack.sandbox.baseURL, "--customer-id", stack.sandboxConfiguration.customerID,
                    "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--shutdown-deadline", "10s",
                    "--kafka-option", "fetch.wait.max.ms=10", "--kafka-option", "statistics.interval.ms=200",
                    "--log-format", "json",
                ] + stack.topics.runArguments,
                environment: ["MESSAGE_CENTRAL_PASSWORD": stack.sandboxConfiguration.password, "PATH": "/usr/bin:/bin"])
            let json = #"{"requestId":"scrape-1","countryCode":"91","mobileNumber":"\#(freshMobileNumber())"}"#
            _ = try await stack.producer.send(KafkaProducerRecord(
                topic: stack.topics.requested, partition: 0, key: Array("scrape-1".utf8), value: Array(json.utf8)))
            _ = try await stack.producer.send(KafkaProducerRecord(
                topic: stack.topics.requested, partition: 1, key: Array("scrape-2".utf8), value: Array("not json".utf8)))
            try await stack.outputs.wait(timeout: .seconds(60), "the OTP sent") { outputs in
                outputs.contains { $0.string("requestId") == "scrape-1" }
            }
            var body = ""
            try await eventually(timeout: .seconds(30), "the outcomes, the lag and the token fetch on /metrics") {
                try child.requireRunning()
                guard let port = child.metricsPort else { return false }
                body = try await get("http://127.0.0.1:\(port)/metrics").body
                return ["otp_outcomes_total{", "kafka_consumer_lag{", "message_central_token_fetches_total{", "otp_ready 1", #"type="otp.dlq""#]
                    .allSatisfy(body.contains)
            }
            child.terminate()
            #expect(await child.waitForExit(timeout: .seconds(20)) == 0, "it stops gracefully")
            return body
        }
    }

    @Test("promtool check metrics passes; the dashboard and the alerts read only exported names")
    func scrapedMetrics() async throws {
        let promtool = try #require(Self.promtool, "promtool is missing: run scripts/install-deps.sh (Debian's prometheus package)")
        let body = try await scrape()

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otp-metrics-\(UUID().uuidString.prefix(6)).prom")
        try Data(body.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try ChildWorker(name: "promtool", command: "check", arguments: ["metrics"], environment: [:],
                                    executable: promtool, input: file)
        let status = await check.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "promtool check metrics: \(check.logText)\n\(body)")

        let exported = PromQLNames.exposed(in: body)
        #expect(exported.isSubset(of: Self.catalog), "names without a help text: \(exported.subtracting(Self.catalog).sorted())")
        let known = exported.union(Self.catalog)

        let dashboard = try Data(contentsOf: Self.root.appendingPathComponent("deploy/grafana/otp-worker.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: dashboard) as? [String: Any])
        var dashboardNames: Set<String> = []
        for panel in object["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                dashboardNames.formUnion(PromQLNames.metricNames(in: target["expr"] as? String ?? ""))
            }
        }
        #expect(dashboardNames.count >= 10, "\(dashboardNames.sorted())")
        #expect(dashboardNames.isSubset(of: known), "the dashboard reads names the worker does not export: \(dashboardNames.subtracting(known).sorted())")

        let rules = try String(contentsOf: Self.root.appendingPathComponent("deploy/prometheus/otp-worker-alerts.yml"), encoding: .utf8)
        var ruleNames: Set<String> = []
        for expression in Self.expressions(inRules: rules) {
            ruleNames.formUnion(PromQLNames.metricNames(in: expression))
        }
        // `up` is Prometheus' own, for a worker that does not answer at all.
        ruleNames.remove("up")
        #expect(ruleNames.count >= 5, "\(ruleNames.sorted())")
        #expect(ruleNames.isSubset(of: known), "the alerts read names the worker does not export: \(ruleNames.subtracting(known).sorted())")
    }

    @Test("the PromQL name extraction sees names, not functions, labels or keywords")
    func extraction() {
        let names = PromQLNames.metricNames(in: #"""
            sum by (reason) (rate(otp_outcomes_total{type="otp.failed", reason!~"A|B"}[10m]))
              / ignoring(reason) group_left sum(rate(x_total[5m])) > 0.05 and deriv(sum by (topic) (lag)[10m:1m]) > 1e3
            """#)
        #expect(names == ["otp_outcomes_total", "x_total", "lag"])
    }

    /// The `expr:` values of a rules file, block scalars included.
    static func expressions(inRules text: String) -> [String] {
        var expressions: [String] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            guard let range = line.range(of: "expr: ") else { continue }
            let value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard value == "|" else {
                expressions.append(value)
                continue
            }
            let indent = line.prefix { $0 == " " }.count
            var block: [Substring] = []
            while let next = lines.first, next.prefix(while: { $0 == " " }).count > indent || next.isEmpty {
                block.append(lines.removeFirst())
            }
            expressions.append(block.joined(separator: "\n"))
        }
        return expressions
    }
}
