
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif
import Primitives

/// Writes to the process's stderr or stdout, one whole `write` call at a time.
///
/// A process-wide lock is held for each string, so lines from different threads never
/// interleave; there is no user-space buffer, so nothing is lost when the process dies and
/// a script reading a pipe sees each line as soon as it is written.
public struct StandardStream: TextOutputStream, Sendable {
    private static let lock = Locked(())

    /// File descriptor 2.
    public static var standardError: StandardStream { StandardStream(descriptor: 2) }
    /// File descriptor 1.
    public static var standardOutput: StandardStream { StandardStream(descriptor: 1) }

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes the string as it is; callers end their lines with `\n`.
    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            Self.lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    #if canImport(Darwin)
                    let written = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    #else
                    let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    #endif
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // closed or broken: a logger has nowhere to report that.
                    }
                }
            }
        }
    }
}
