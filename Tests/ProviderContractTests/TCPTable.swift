import Foundation

/// The kernel's table of TCP sockets (`/proc/net/tcp`, `/proc/net/tcp6`), for tests that must
/// see whether a client closed its connection without relying on the server noticing.
enum TCPTable {
    /// The states of `/proc/net/tcp`'s `st` column that the tests name.
    enum State: Equatable, CustomStringConvertible {
        case established, finWait1, finWait2, timeWait, close, closeWait, lastAck, other(String)

        init(code: String) {
            switch code {
            case "01": self = .established
            case "04": self = .finWait1
            case "05": self = .finWait2
            case "06": self = .timeWait
            case "07": self = .close
            case "08": self = .closeWait
            case "09": self = .lastAck
            default: self = .other(code)
            }
        }

        var description: String {
            switch self {
            case .established: "ESTABLISHED"
            case .finWait1: "FIN_WAIT1"
            case .finWait2: "FIN_WAIT2"
            case .timeWait: "TIME_WAIT"
            case .close: "CLOSE"
            case .closeWait: "CLOSE_WAIT"
            case .lastAck: "LAST_ACK"
            case .other(let code): "state \(code)"
            }
        }
    }

    /// The state of the client end of one connection, from its local port and the server's
    /// port; nil once the kernel has forgotten it.
    static func clientState(localPort: Int, serverPort: Int) -> State? {
        let local = String(format: "%04X", localPort)
        let remote = String(format: "%04X", serverPort)
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readWhole(file) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, fields[1].split(separator: ":").last.map(String.init) == local,
                    fields[2].split(separator: ":").last.map(String.init) == remote
                else { continue }
                return State(code: String(fields[3]))
            }
        }
        return nil
    }

    /// Reads a `/proc` file to its end: they report a size of 0, so readers that trust the
    /// size (as `String(contentsOfFile:)` does) get nothing.
    private static func readWhole(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var bytes = Data()
        while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty { bytes.append(chunk) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
