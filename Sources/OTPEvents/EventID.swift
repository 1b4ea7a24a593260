#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON
import KafkaCore
import Primitives

/// Random (version 4) UUIDs for `ce_id`, lowercase, from the operating system's random bytes.
///
/// Not `UUID()`: on Linux it opens, reads and closes `/dev/urandom` for every identifier,
/// three system calls per output. This reads the same device 4 KB at a time, so one `read`
/// serves 256 identifiers.
public enum EventID {
    private static let pool = Locked(RandomPool())

    /// A new identifier such as `0f8fad5b-d9cb-469f-a165-70867728950e`.
    public static func make() -> String {
        let (high, low) = pool.withLock { $0.next128() }
        return format(high: high, low: low)
    }

    /// The UUID text of 128 bits, with the version (4) and variant (RFC 4122) bits set.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    buffer[index] = lowercaseHexDigits[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            func dash() {
                buffer[index] = UInt8(ascii: "-")
                index += 1
            }
            put(high >> 32, digits: 8)
            dash()
            put((high >> 16) & 0xFFFF, digits: 4)
            dash()
            put(high & 0xFFFF, digits: 4)
            dash()
            put(low >> 48, digits: 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, digits: 12)
            return index
        }
    }

    /// Whether a fresh pool fills from the random device (and not from the fallback); for tests,
    /// as the fallback would otherwise hide a broken read.
    static func fillsFromDevice() -> Bool {
        var pool = RandomPool()
        return pool.fillFromDevice()
    }
}

/// Operating-system random bytes, fetched in blocks.
private struct RandomPool: ~Copyable {
    private static let words = 512
    private var buffer = [UInt64](repeating: 0, count: RandomPool.words)
    private var next = RandomPool.words
    private var device: Int32 = -1

    deinit {
        #if canImport(Glibc) || canImport(Darwin)
        if device >= 0 { close(device) }
        #endif
    }

    mutating func next128() -> (UInt64, UInt64) {
        if next + 2 > Self.words { refill() }
        defer { next += 2 }
        return (buffer[next], buffer[next + 1])
    }

    private mutating func refill() {
        if !fillFromDevice() { fillFromStandardLibrary() }
        next = 0
    }

    /// One `read` of the kernel's random device, kept open. Not `getrandom` or
    /// `arc4random_buf`: Swift's Glibc module does not declare the first, and the second needs
    /// glibc 2.36.
    mutating func fillFromDevice() -> Bool {
        #if canImport(Glibc) || canImport(Darwin)
        if device < 0 { device = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
        guard device >= 0 else { return false }
        let device = self.device
        return buffer.withUnsafeMutableBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = read(device, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        #else
        return false
        #endif
    }

    /// The standard library's system generator: one call per word, but never fails.
    private mutating func fillFromStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        for index in buffer.indices { buffer[index] = generator.next() }
    }
}
