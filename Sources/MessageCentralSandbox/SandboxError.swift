/// Why a sandbox could not start.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not a loopback address and ``SandboxConfiguration/allowNonLoopback`` is off.
    case nonLoopbackHost(String)
    /// A configuration value makes no sense (a zero lifetime, a negative port, ...).
    case invalidConfiguration(String)
    /// The server stopped before it was listening, so there is no address to hand out.
    case stoppedBeforeListening

    public var description: String {
        switch self {
        case .nonLoopbackHost(let host):
            "refusing to bind non-loopback host \(host); set allowNonLoopback (--allow-non-loopback) to permit it"
        case .invalidConfiguration(let reason):
            "invalid sandbox configuration: \(reason)"
        case .stoppedBeforeListening:
            "the sandbox stopped before it was listening"
        }
    }
}
