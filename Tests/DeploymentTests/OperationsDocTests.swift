import Foundation
import Testing

/// docs/operations.md explains every `/readyz` reason the worker can give, and has a section
/// for every alert, which links to it.
@Suite struct OperationsDocTests {
    /// The fixed text of every readiness reason in Sources/OTPWorker (up to its first
    /// interpolation), and the provider gate's hold reasons.
    static func readinessReasons() throws -> Set<String> {
        let folder = DeploymentFiles.root.appendingPathComponent("Sources/OTPWorker")
        var reasons: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let file = enumerator?.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /readiness\?\.set\([^\n]*reason: "([^"\\]*)/) {
                reasons.insert(String(match.output.1))
            }
            if file.hasSuffix("ProviderGate.swift") {
                for match in text.matches(of: /case \w+ = "([^"]*)"/) { reasons.insert(String(match.output.1)) }
            }
        }
        return Set(reasons.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    @Test func everyReadinessReasonIsExplained() throws {
        let reasons = try Self.readinessReasons()
        #expect(reasons.count >= 7, "\(reasons.sorted())")
        let operations = try DeploymentFiles.text("docs/operations.md")
        for reason in reasons {
            #expect(operations.contains("`" + reason), "docs/operations.md does not explain the /readyz reason '\(reason)'")
        }
    }

    @Test func everyAlertLinksItsRunbook() throws {
        let rules = try DeploymentFiles.text("deploy/prometheus/otp-worker-alerts.yml")
        let operations = try DeploymentFiles.text("docs/operations.md").lowercased()
        for alert in rules.matches(of: /- alert: (\w+)/).map({ String($0.output.1) }) {
            #expect(rules.contains("runbook: docs/operations.md#\(alert.lowercased())"), "\(alert) has no runbook link")
            #expect(operations.contains("### \(alert.lowercased())"), "docs/operations.md has no section for \(alert)")
        }
    }
}
