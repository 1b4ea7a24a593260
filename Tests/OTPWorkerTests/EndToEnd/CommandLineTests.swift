import Foundation
import Testing

/// `otp-worker run` refuses bad settings at start, naming the flag and its variable.
@Suite("Command line: bad settings are refused at start", .timeLimit(.minutes(1)))
struct CommandLineTests {
    static let credentials = ["MESSAGE_CENTRAL_CUSTOMER_ID": "C-SANDBOX", "MESSAGE_CENTRAL_PASSWORD": "sandbox"]

    @Test("an idempotency capacity out of range names the flag and the bounds")
    func capacityOutOfRange() async throws {
        let child = try ChildWorker(name: "cli-capacity", arguments: ["--idempotency-capacity", "5"], environment: Self.credentials)
        let status = try #require(await child.waitForExit(timeout: .seconds(30)), "otp-worker run did not exit")
        #expect(status != 0)
        #expect(child.logText.contains("--idempotency-capacity / OTP_IDEMPOTENCY_CAPACITY must be between 1000 and 10000000, not 5"),
                "\(child.logText)")
    }

    @Test("an idempotency retention that is not a duration names the variable")
    func retentionNotADuration() async throws {
        var environment = Self.credentials
        environment["OTP_IDEMPOTENCY_RETENTION"] = "soon"
        let child = try ChildWorker(name: "cli-retention", arguments: [], environment: environment)
        let status = try #require(await child.waitForExit(timeout: .seconds(30)), "otp-worker run did not exit")
        #expect(status != 0)
        #expect(child.logText.contains("--idempotency-retention / OTP_IDEMPOTENCY_RETENTION: 'soon' is not a duration"), "\(child.logText)")
    }
}
