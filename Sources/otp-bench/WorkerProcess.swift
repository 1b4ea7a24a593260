import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `otp-worker run` as a child process, so that its CPU time and memory are its own:
/// read from /proc while it runs and from wait4 when it ends.
final class WorkerProcess: @unchecked Sendable {
    // @unchecked: `pid` is set once in init; `exited` is only touched by the one caller of `stop`.
    let pid: pid_t
    let logPath: String
    private var exited: (status: Int32, usage: rusage)?

    /// Starts `path run ARGUMENTS` with `environment` added to ours; its stdout and stderr go to `logPath`.
    init(path: String, arguments: [String], environment: [String: String], logPath: String) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("no otp-worker executable at \(path): build it first (swift build -c release --product otp-worker) or pass --worker PATH")
        }
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Only standard input, output and error: the bench's sockets (sandbox, brokers) are not
        // the worker's, and a copy in the child would keep them open after the bench closes them.
        _ = addCloseFrom(&actions, 3)

        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let argv = ([path, "run"] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let error = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard error == 0 else { throw BenchError("posix_spawn \(path): \(String(cString: strerror(error)))") }
        pid = child
    }

    /// User plus system CPU time of every thread, so far (clock ticks of /proc/PID/stat).
    func cpuTime() -> Duration? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return .microseconds((user + system) * 1_000_000 / ticksPerSecond)
    }

    /// Context switches so far (voluntary and not) of each live thread, summed by kind of thread
    /// (``ThreadKind``); from /proc/PID/task/*/status.
    func contextSwitches() -> [String: Int] {
        var totals: [String: Int] = [:]
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return totals }
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
            var name = "?"
            var count = 0
            for line in text.split(separator: "\n") {
                if line.hasPrefix("Name:") {
                    name = String(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
                } else if line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") {
                    count += line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
                }
            }
            totals[ThreadKind.of(name), default: 0] += count
        }
        return totals
    }

    /// A field of /proc/PID/status in kB (VmHWM, VmRSS).
    func statusKilobytes(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
        }
        return nil
    }

    /// Whether it has exited on its own (reaps it if so).
    var hasExited: Bool { poll() }

    /// SIGTERM, then waits up to `grace` for a graceful stop (SIGKILL after that).
    /// Returns the exit description and the whole run's rusage.
    func stop(grace: Duration = .seconds(30)) async -> (exit: String, usage: rusage?) {
        if !poll() { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while !poll() {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                while !poll() { try? await Task.sleep(for: .milliseconds(20)) }
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard let (status, usage) = exited else { return ("unknown", nil) }
        let description = (status & 0x7f) == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
        return (description, usage)
    }

    private func poll() -> Bool {
        if exited != nil { return true }
        var status: Int32 = 0
        var usage = rusage()
        let result = wait4(pid, &status, WNOHANG, &usage)
        guard result == pid else { return false }
        exited = (status, usage)
        return true
    }
}

extension rusage {
    /// User plus system time.
    var cpu: Duration {
        .seconds(ru_utime.tv_sec + ru_stime.tv_sec) + .microseconds(ru_utime.tv_usec + ru_stime.tv_usec)
    }
}

/// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), looked up at run time:
/// Swift's Glibc module does not declare it. False when this C library lacks it.
func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Bool {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return false }
    return unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest) == 0
}
