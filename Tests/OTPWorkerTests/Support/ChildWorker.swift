import Dispatch
import Foundation
import Kafka
import Primitives
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An `otp-worker run` process (or another subcommand), for tests that kill, stop and restart
/// real processes, or that check what a command refuses at start.
///
/// Started with `posix_spawn`, not Foundation's `Process`: under AddressSanitizer,
/// `Process.run` overflows a heap buffer in Foundation itself (findMaximumOpenFromProcSelfFD).
final class ChildWorker: Sendable {
    let name: String
    let log: URL
    let pid: pid_t
    private let exited: AsyncStream<Int32>
    private let status = Locked<Int32?>(nil)

    /// The `otp-worker` binary built next to the test bundle.
    static var binary: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("otp-worker")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// - Parameters:
    ///   - executable: Another program to run instead of `otp-worker` (e.g. `promtool`), given
    ///     `command` and `arguments` all the same.
    ///   - input: A file for its stdin; /dev/null when nil.
    init(
        name: String, command: String = "run", arguments: [String], environment: [String: String],
        executable: URL? = nil, input: URL? = nil
    ) throws {
        guard let binary = executable ?? Self.binary else { throw TimedOut(what: "the otp-worker binary next to the tests") }
        self.name = name
        log = FileManager.default.temporaryDirectory.appendingPathComponent("otp-worker-\(name)-\(UUID().uuidString.prefix(6)).log")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours: without this the child inherited the test process's 1,200
        // descriptors (252 sockets), and a connection another test closed stayed open in the
        // child, so the peer never saw the close (the flaky hang tests).
        _ = addCloseFrom(&actions, 3)
        let argv = ([binary.path, command] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let error = posix_spawn(&child, binary.path, &actions, nil, argv, envp)
        guard error == 0 else { throw TimedOut(what: "posix_spawn: \(String(cString: strerror(error)))") }
        pid = child
        let spawned = child

        // waitpid blocks for the process's whole life: it gets a thread of its own. A global
        // dispatch queue would lend it a thread of the cooperative pool, which the tests share.
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        exited = stream
        let recorded = status
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
            // Exit code when it exited, the signal number when a signal ended it.
            let signal = status & 0x7f
            let result = signal == 0 ? (status >> 8) & 0xff : signal
            recorded.withLock { $0 = result }
            continuation.yield(result)
            continuation.finish()
        }
    }

    /// A test that fails before it stops its processes must not leave them running (they
    /// would load the machine for every test after it): the last reference kills its process.
    deinit {
        if status.withLock({ $0 }) == nil { _ = Glibc.kill(pid, SIGKILL) }
    }

    /// SIGKILL: no goodbye, no commit, no flush.
    func kill() { _ = Glibc.kill(pid, SIGKILL) }

    /// SIGTERM: the graceful stop.
    func terminate() { _ = Glibc.kill(pid, SIGTERM) }

    /// The exit status (or the signal that ended it), or nil if still running after `timeout`.
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

    /// The port of its /metrics (started with `--metrics-port 0`), from the HTTP server's
    /// start-up line; nil until it listens.
    var metricsPort: Int? {
        let text = logText
        guard let start = text.range(of: "Server started and listening on ")?.upperBound else { return nil }
        let address = text[start...].prefix { !$0.isWhitespace && $0 != "\"" }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }

    /// The exit status (or signal), once the process has ended; nil while it runs.
    var exitStatus: Int32? { status.withLock { $0 } }

    /// Throws, with the end of its log, if the process has ended: a test waiting for work
    /// from a worker that crashed at start should say so at once, not after its deadline.
    func requireRunning() throws {
        guard let exitStatus else { return }
        let tail = logText.split(separator: "\n", omittingEmptySubsequences: false).suffix(25).joined(separator: "\n")
        Issue.record("\(name) ended unexpectedly (status \(exitStatus)); the end of its log:\n\(tail)")
        throw TimedOut(what: "\(name) to keep running")
    }
}

/// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), looked up at run time:
/// Swift's Glibc module does not declare it. False when this C library lacks it.
func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Bool {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return false }
    return unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest) == 0
}
