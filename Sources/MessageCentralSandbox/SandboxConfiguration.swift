/// How a sandbox behaves: where it listens, the credentials it accepts and the
/// limits that make every provider code reachable on purpose.
///
/// Values are read once when the server is created; the credentials can be
/// changed later only through ``SandboxHandle/setPassword(_:)``, and
/// ``pendingNamesVerification`` through ``SandboxHandle/setPendingNamesVerification(_:)``.
public struct SandboxConfiguration: Sendable {
    /// Address to bind. Anything but a loopback address is refused unless
    /// ``allowNonLoopback`` is set, because the sandbox accepts a known password.
    public var host: String
    /// Port to bind; `0` lets the system pick a free one (read it from the handle).
    public var port: Int
    /// The only customer id the token endpoint accepts; also the tokens' subject.
    public var customerID: String
    /// The password whose Base64 the token endpoint expects as `key`.
    public var password: String
    /// How long an issued token is accepted; also the `exp` it carries.
    public var tokenLifetime: Duration
    /// How long a sent code can be validated; reported as `timeout` in whole seconds.
    public var otpTimeout: Duration
    /// Wrong codes a verification tolerates; after that many it answers 700.
    public var maxWrongAttempts: Int
    /// Sends accepted per number within ``sendWindow``; the next answers 800.
    public var sendLimit: Int
    /// The sliding window ``sendLimit`` counts over.
    public var sendWindow: Duration
    /// Permits binding a non-loopback ``host``. Off by default on purpose.
    public var allowNonLoopback: Bool
    /// Whether a send refused with 506 because a code is pending for the number names that
    /// verification in `data` (its `verificationId`, and the seconds left as `timeout`), so a
    /// client can carry on with it. When false the 506 carries `data: null`, so both kinds of
    /// provider answer can be tested.
    public var pendingNamesVerification: Bool

    /// Creates a configuration; every default matches `otp-worker sandbox`.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8089,
        customerID: String = "C-SANDBOX",
        password: String = "sandbox",
        tokenLifetime: Duration = .seconds(3600),
        otpTimeout: Duration = .seconds(60),
        maxWrongAttempts: Int = 3,
        sendLimit: Int = 5,
        sendWindow: Duration = .seconds(600),
        allowNonLoopback: Bool = false,
        pendingNamesVerification: Bool = true
    ) {
        self.host = host
        self.port = port
        self.customerID = customerID
        self.password = password
        self.tokenLifetime = tokenLifetime
        self.otpTimeout = otpTimeout
        self.maxWrongAttempts = maxWrongAttempts
        self.sendLimit = sendLimit
        self.sendWindow = sendWindow
        self.allowNonLoopback = allowNonLoopback
        self.pendingNamesVerification = pendingNamesVerification
    }
}

extension SandboxConfiguration {
    /// Throws ``SandboxError`` when the configuration cannot be served safely or sensibly.
    func validate() throws(SandboxError) {
        if !allowNonLoopback && !Self.isLoopback(host) {
            throw .nonLoopbackHost(host)
        }
        guard (0...65535).contains(port) else { throw .invalidConfiguration("port \(port) is out of range") }
        guard !customerID.isEmpty else { throw .invalidConfiguration("customer id is empty") }
        guard tokenLifetime > .zero else { throw .invalidConfiguration("token lifetime must be positive") }
        guard otpTimeout > .zero else { throw .invalidConfiguration("OTP timeout must be positive") }
        guard maxWrongAttempts >= 1 else { throw .invalidConfiguration("max wrong attempts must be at least 1") }
        guard sendLimit >= 1 else { throw .invalidConfiguration("send limit must be at least 1") }
        guard sendWindow > .zero else { throw .invalidConfiguration("send window must be positive") }
    }

    /// A random address of 127.0.0.0/8, for a sandbox that must not be reached by clients of
    /// another one in the same process (tests running in parallel).
    ///
    /// Sandboxes bound to port 0 get ports the system hands out again once freed: a client left
    /// from an earlier test (a worker still probing its stopped provider) can reach the next
    /// test's sandbox on 127.0.0.1 and take its injected hang. A sandbox on an address of its own
    /// cannot be reached through another sandbox's address and port.
    public static func isolatedLoopbackHost() -> String {
        "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
    }

    /// Whether `host` names the loopback interface: `localhost`, `::1` or `127.0.0.0/8`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.first == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && Int(octet)! <= 255
        }
    }
}

extension Character {
    /// `0`...`9` only; `Character.isNumber` would also admit other scripts' digits.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
