import Foundation
import TestSupport
import Testing

/// The `otp-worker run` process: bad settings are refused at start, naming the flag and its
/// variable; a running worker allocates with jemalloc and has loaded FoundationEssentials only.
@Suite("The otp-worker process: settings refused at start, libraries it loads", .timeLimit(.minutes(1)))
struct CommandLineTests {
    static let credentials = ["MESSAGE_CENTRAL_CUSTOMER_ID": "C-SANDBOX", "MESSAGE_CENTRAL_PASSWORD": "sandbox"]

    @Test("a running worker, traces on, allocates with jemalloc and has not loaded Foundation or its ICU data, only FoundationEssentials")
    func librariesLoaded() async throws {
        // Nothing listens on port 1: the worker starts and keeps trying to check its topics.
        // Traces on, so that their exporter is part of what is checked.
        let child = try ChildWorker(
            name: "cli-libraries",
            arguments: ["--brokers", "127.0.0.1:1", "--metrics-port", "0", "--metrics-host", "127.0.0.1",
                        "--shutdown-deadline", "2s", "--log-format", "json"],
            environment: Self.credentials.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"]) { $1 })
        var maps = ""
        try await eventually(timeout: .seconds(20), "the worker to start") {
            try child.requireRunning()
            maps = Self.readWhole("/proc/\(child.pid)/maps")
            return child.logText.contains("cannot reach the brokers to check the idempotency topic")
        }
        #expect(child.logText.contains(#""message":"traces on""#), "\(child.logText.prefix(2_000))")
        #expect(maps.contains("libFoundationEssentials.so"))
        // An incremental build from before the worker dropped Foundation can keep stale objects
        // that still link it: `swift package clean` (or a fresh clone) settles that.
        let hint = "; if this build predates the switch to FoundationEssentials, clean it (swift package clean)"
        #expect(!maps.contains("/libFoundation.so"), "Foundation is loaded: about 7 MB more resident memory\(hint)")
        #expect(!maps.contains("lib_FoundationICU.so"), "ICU is loaded\(hint)")
        // A sanitizer brings its own malloc, linked into the executable, and that one wins.
        if Self.underSanitizer {
            #expect(child.logText.contains(#""allocator":"malloc from otp-worker""#), "\(child.logText.prefix(2_000))")
        } else {
            #expect(maps.contains("libjemalloc.so"))
            #expect(child.logText.contains(#""allocator":"jemalloc "#), "\(child.logText.prefix(2_000))")
            #expect(child.logText.contains(#", 1 arena""#), "the configuration in Sources/CAllocator is read")
        }
        // Only that it ends: its exit status is not the point here, and under AddressSanitizer it
        // is LeakSanitizer's, since a consumer that never joined its group leaves its librdkafka
        // handle on purpose (librdkafka#4312; docs/kafka-layer.md, trap 16). Graceful stops are tested with a cluster.
        child.terminate()
        #expect(await child.waitForExit(timeout: .seconds(15)) != nil, "SIGTERM ends it")
    }

    /// Whether this test process (built like the worker) runs under AddressSanitizer or
    /// ThreadSanitizer.
    static var underSanitizer: Bool {
        guard let process = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(process) }
        return dlsym(process, "__asan_init") != nil || dlsym(process, "__tsan_init") != nil
    }

    /// Reads a file to its end. `String(contentsOfFile:)` stops short on /proc files, whose
    /// reported size is 0.
    static func readWhole(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { bytes += chunk[..<count] }
        return String(decoding: bytes, as: UTF8.self)
    }

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

    @Test("OTP_MAX_REQUEST_AGE=600, a bare number of seconds, gets the worker past its settings to start")
    func bareSecondsAccepted() async throws {
        var environment = Self.credentials
        environment["OTP_MAX_REQUEST_AGE"] = "600"
        // Nothing listens on port 1: past its settings, the worker keeps trying to check its topics.
        let child = try ChildWorker(
            name: "cli-bare-seconds",
            arguments: ["--brokers", "127.0.0.1:1", "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--shutdown-deadline", "2s"],
            environment: environment)
        try await eventually(timeout: .seconds(20), "the worker past its settings") {
            try child.requireRunning()
            return child.logText.contains("cannot reach the brokers to check the idempotency topic")
        }
        child.terminate()
        #expect(await child.waitForExit(timeout: .seconds(15)) != nil, "SIGTERM ends it")
    }

    @Test("a provider URL the client cannot use names the flag, the variable and the reason")
    func providerURLRefused() async throws {
        var environment = Self.credentials
        environment["MESSAGE_CENTRAL_BASE_URL"] = "cpaas.messagecentral.com"
        let child = try ChildWorker(name: "cli-provider-url", arguments: [], environment: environment)
        let status = try #require(await child.waitForExit(timeout: .seconds(30)), "otp-worker run did not exit")
        #expect(status != 0)
        #expect(child.logText.contains("--provider-url / MESSAGE_CENTRAL_BASE_URL: invalid base URL: the scheme must be http:// or https://"),
                "\(child.logText)")
    }
}
