import Foundation
import Testing

/// Runs Prometheus' `promtool`, which `scripts/install-deps.sh` installs (Debian's
/// `prometheus` package): the rules and the dashboard are checked by the real tool, not by
/// reading them back.
enum Promtool {
    struct Result {
        var status: Int32
        var output: String
    }

    /// `promtool` on PATH, or in /usr/bin where Debian puts it.
    static var path: String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        return directories.map { $0 + "/promtool" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `promtool arguments` in `directory` with `input` on stdin, and returns its status
    /// and its stdout and stderr together.
    static func run(_ arguments: [String], in directory: URL = DeploymentFiles.root, input: String? = nil) throws -> Result {
        guard let path else {
            Issue.record("promtool is missing: run scripts/install-deps.sh (it installs Debian's prometheus package)")
            throw CancellationError()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read before waiting: a full pipe would block promtool forever.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
