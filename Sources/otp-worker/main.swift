import ArgumentParser
import OTPWorker
#if canImport(Glibc)
import Glibc
#endif

/// The `otp-worker` executable; each mode of operation is a subcommand.
///
/// Not marked `@main`: a file named `main.swift` is top-level code, where
/// Swift rejects the attribute, so the entry point is the call below.
struct OTPWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otp-worker",
        abstract: "OTP verification worker for Message Central Verify Now.",
        // `--version` prints this line and exits 0.
        version: BuildInfo.versionLine,
        subcommands: [DemoCommand.self, RunCommand.self, ReplayCommand.self, SandboxCommand.self, DevKafkaCommand.self]
    )
}

// Called from an async function so overload resolution picks the async
// `main()`; at top level Swift picks the synchronous one, which cannot run
// an async subcommand.
func runOTPWorker() async {
    await OTPWorkerCommand.main()
}

#if canImport(Glibc)
// swift-log's text handler calls localtime() for every line, and with TZ unset glibc then
// stats /etc/localtime each time. Naming that same file keeps local time and drops the call.
// Set before any thread starts: setenv is not safe against concurrent getenv.
if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
#endif

await runOTPWorker()
