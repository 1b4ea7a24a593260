import Foundation
import Metrics
import Prometheus
import Testing

@testable import OTPWorker

/// The outcomes counter as Prometheus renders it: first publications and re-emissions of the
/// same outcome are one family, told apart by the `emission` label.
@Suite("Outcome counts by emission")
struct OutcomeMetricsTests {
    @Test("first and re-emitted outcomes are series of otp_outcomes_total, apart by the emission label")
    func emissionLabel() {
        let setup = MetricsSetup()
        let metrics = PipelineMetrics(factory: setup.factory)
        metrics.outcome(RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first))
        metrics.outcome(RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first))
        metrics.outcome(RecordPlan.Count(type: "otp.sent", reason: nil, emission: .reemitted))
        metrics.outcome(RecordPlan.Count(type: "otp.failed", reason: "INVALID_EVENT", emission: .reemitted))

        let text = setup.registry.emitToString()
        #expect(text.contains(#"otp_outcomes_total{type="otp.sent",reason="none",emission="first"} 2"#), "\(text)")
        #expect(text.contains(#"otp_outcomes_total{type="otp.sent",reason="none",emission="reemitted"} 1"#), "\(text)")
        #expect(text.contains(#"otp_outcomes_total{type="otp.failed",reason="INVALID_EVENT",emission="reemitted"} 1"#), "\(text)")
        #expect(text.components(separatedBy: "# TYPE otp_outcomes_total counter").count == 2, "one family")
        #expect(!text.contains("otp_idempotent_replays_total"), "no second metric with the same meaning")
    }
}
