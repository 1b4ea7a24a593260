import Foundation
import Logging
import Metrics
import NIOCore
import OTPWorker
import Prometheus
import ServiceLifecycle
import Testing

/// The endpoints over real sockets.
@Suite(.timeLimit(.minutes(1)))
struct ObservabilityServerTests {
    @Test func healthzAnswersOK() async throws {
        try await withObservabilityServer { baseURL in
            let response = try await get("\(baseURL)/healthz")
            #expect(response.status == 200)
            #expect(response.body == "ok\n")
        }
    }

    @Test func readyzFollowsTheConditions() async throws {
        let readiness = ReadinessState(pending: [("group", "joining group"), ("provider", "no provider token")])
        try await withObservabilityServer(readiness: readiness) { baseURL in
            var response = try await get("\(baseURL)/readyz")
            #expect(response.status == 503)
            #expect(response.body == "not ready: joining group; no provider token\n")

            readiness.set("group", ready: true)
            readiness.set("provider", ready: false, reason: "provider unauthorized, consumption paused")
            response = try await get("\(baseURL)/readyz")
            #expect(response.status == 503)
            #expect(response.body == "not ready: provider unauthorized, consumption paused\n")

            readiness.set("provider", ready: true)
            response = try await get("\(baseURL)/readyz")
            #expect(response.status == 200)
        }
    }

    @Test func metricsRendersWhatTheFactoryRecorded() async throws {
        let metrics = MetricsSetup()
        try await withObservabilityServer(registry: metrics.registry) { baseURL in
            let outcome = Counter(
                label: WorkerMetrics.outcomes,
                dimensions: [(WorkerMetrics.Dimension.type, "otp.sent"), (WorkerMetrics.Dimension.reason, "none")],
                factory: metrics.factory
            )
            outcome.increment(by: 3)
            Gauge(label: WorkerMetrics.inFlight, factory: metrics.factory).record(7)

            let response = try await get("\(baseURL)/metrics")
            #expect(response.status == 200)
            #expect(response.contentType?.hasPrefix("text/plain") == true)
            #expect(response.body.contains(#"otp_outcomes_total{type="otp.sent",reason="none"} 3"#))
            #expect(response.body.contains("otp_in_flight 7"))

            outcome.increment()
            let again = try await get("\(baseURL)/metrics")
            #expect(again.body.contains(#"otp_outcomes_total{type="otp.sent",reason="none"} 4"#))
        }
    }

    @Test func timersUseTheProviderLatencyBuckets() throws {
        let metrics = MetricsSetup()
        Metrics.Timer(
            label: WorkerMetrics.providerRequestDuration,
            dimensions: [(WorkerMetrics.Dimension.operation, "send")],
            factory: metrics.factory
        ).record(duration: .milliseconds(120))
        let bounds = metrics.registry.emitToString()
            .split(separator: "\n")
            .filter { $0.hasPrefix("otp_provider_request_duration_seconds_bucket") }
            .compactMap { line -> Double? in
                guard let start = line.range(of: #"le=""#)?.upperBound,
                    let end = line[start...].firstIndex(of: "\"")
                else { return nil }
                return Double(line[start..<end])
            }
        #expect(bounds.first == 0.005)
        #expect(bounds.filter(\.isFinite).last == 30)
        #expect(bounds.count == MetricsSetup.durationBuckets.count + 1)  // plus +Inf
    }

    @Test func aTakenPortFailsTheWaiter() async throws {
        try await withObservabilityServer { baseURL in
            let port = Int(baseURL.split(separator: ":").last!)!
            let second = ObservabilityServer(
                host: "127.0.0.1", port: port, registry: PrometheusCollectorRegistry(), readiness: ReadinessState(),
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            )
            let run = Task { try await second.run() }
            await #expect(throws: (any Error).self) { _ = try await second.waitUntilListening() }
            await #expect(throws: (any Error).self) { try await run.value }
        }
    }

    @Test func gracefulShutdownStopsServing() async throws {
        let baseURL = try await withObservabilityServer { $0 }
        // The group has returned: the listener is gone.
        await #expect(throws: (any Error).self) { _ = try await get("\(baseURL)/healthz", timeout: .milliseconds(500)) }
    }
}
