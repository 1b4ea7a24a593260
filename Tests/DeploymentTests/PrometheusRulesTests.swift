import Foundation
import Testing

/// deploy/prometheus/otp-worker-alerts.yml is valid, every alert has a unit test, and the
/// tests pass, all by `promtool` itself.
@Suite struct PrometheusRulesTests {
    static let folder = DeploymentFiles.root.appendingPathComponent("deploy/prometheus")

    @Test func theRulesAreValid() throws {
        let result = try Promtool.run(["check", "rules", "otp-worker-alerts.yml"], in: Self.folder)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theRuleUnitTestsPass() throws {
        let result = try Promtool.run(["test", "rules", "otp-worker-alerts.test.yml"], in: Self.folder)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    @Test func everyAlertHasAUnitTest() throws {
        let rules = try DeploymentFiles.text("deploy/prometheus/otp-worker-alerts.yml")
        let tests = try DeploymentFiles.text("deploy/prometheus/otp-worker-alerts.test.yml")
        let alerts = rules.matches(of: /- alert: (\w+)/).map { String($0.output.1) }
        #expect(alerts.count >= 6)
        for alert in alerts {
            #expect(tests.contains("alertname: \(alert)\n"), "no unit test for \(alert)")
        }
    }
}
