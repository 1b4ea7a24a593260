import Kafka

#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// Writes to the process's stderr (file descriptor 2), one whole `write` call at a time.
///
/// A process-wide lock is held for each string, so lines from different threads never
/// interleave; there is no user-space buffer, so nothing is lost when the process dies.
public struct StandardErrorStream: TextOutputStream, Sendable {
    private static let lock = Locked(())

    /// Creates the stream; all instances share file descriptor 2 and its lock.
    public init() {}

    /// Writes the string as it is; callers end their lines with `\n`.
    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            Self.lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    #if canImport(Darwin)
                    let written = Darwin.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    #else
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    #endif
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // stderr closed or broken: a logger has nowhere to report that.
                    }
                }
            }
        }
    }
}
