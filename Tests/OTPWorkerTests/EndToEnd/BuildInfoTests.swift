import Foundation
import OTPWorker
import TestSupport
import Testing

/// `otp-worker --version` and the build and readiness gauges of a running worker.
@Suite("The worker's version: --version and otp_build_info", .timeLimit(.minutes(1)))
struct BuildInfoTests {
    @Test("--version prints the version, the revision and librdkafka's version, and exits 0")
    func versionFlag() async throws {
        let child = try ChildWorker(name: "version", command: "--version", arguments: [], environment: [:])
        #expect(await child.waitForExit(timeout: .seconds(10)) == 0)
        let text = child.logText
        #expect(text.hasPrefix(BuildInfo.version + " (revision unknown, librdkafka "), "\(text)")
        #expect(text == BuildInfo.versionLine + "\n", "the test process has no OTP_REVISION either: \(text)")
    }

    @Test("a running worker exports otp_build_info = 1 and otp_ready = 0 while it cannot reach the brokers")
    func buildInfoGauge() async throws {
        // Nothing listens on port 1: the worker starts, serves /metrics and stays not ready.
        let child = try ChildWorker(
            name: "build-info",
            arguments: ["--brokers", "127.0.0.1:1", "--metrics-port", "0", "--metrics-host", "127.0.0.1",
                        "--shutdown-deadline", "2s", "--log-format", "json"],
            environment: ["MESSAGE_CENTRAL_CUSTOMER_ID": "C-SANDBOX", "MESSAGE_CENTRAL_PASSWORD": "sandbox", "OTP_REVISION": "abc1234"])
        var body = ""
        try await eventually(timeout: .seconds(20), "the worker's /metrics") {
            try child.requireRunning()
            guard let port = child.metricsPort else { return false }
            body = try await get("http://127.0.0.1:\(port)/metrics").body
            return body.contains("otp_build_info{")
        }
        let line = body.split(separator: "\n").first { $0.hasPrefix("otp_build_info{") }.map(String.init) ?? ""
        #expect(line.contains(#"version="\#(BuildInfo.version)""#), "\(line)")
        #expect(line.contains(#"revision="abc1234""#), "\(line)")
        #expect(line.contains(#"librdkafka="2."#), "\(line)")
        #expect(line.hasSuffix(" 1") || line.hasSuffix(" 1.0"), "\(line)")
        #expect(body.split(separator: "\n").contains { $0 == "otp_ready 0" || $0 == "otp_ready 0.0" }, "\(body)")
        child.terminate()
        #expect(await child.waitForExit(timeout: .seconds(15)) != nil, "SIGTERM ends it")
    }
}
