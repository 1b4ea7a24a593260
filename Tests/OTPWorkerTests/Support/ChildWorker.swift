import Foundation
import Testing

/// An `otp-worker run` process, for tests that kill, stop and restart real processes.
final class ChildWorker: @unchecked Sendable {
    // @unchecked: `process` is configured before launch and only read afterwards; the exit
    // status is delivered once through `exited`.
    let name: String
    let log: URL
    private let process = Process()
    private let exited: AsyncStream<Int32>
    private let exitContinuation: AsyncStream<Int32>.Continuation

    /// The `otp-worker` binary built next to the test bundle.
    static var binary: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("otp-worker")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    init(name: String, arguments: [String], environment: [String: String]) throws {
        guard let binary = Self.binary else { throw TimedOut(what: "the otp-worker binary next to the tests") }
        self.name = name
        log = FileManager.default.temporaryDirectory.appendingPathComponent("otp-worker-\(name)-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        (exited, exitContinuation) = AsyncStream.makeStream(of: Int32.self)
        process.executableURL = binary
        process.arguments = ["run"] + arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        let continuation = exitContinuation
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILL: no goodbye, no commit, no flush.
    func kill() { _ = Foundation.kill(pid, SIGKILL) }

    /// SIGTERM: the graceful stop.
    func terminate() { _ = Foundation.kill(pid, SIGTERM) }

    /// The exit status, or nil if the process is still running after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        let stream = exited
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in stream { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}
