import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

/// Keep-alive HTTP/1.1 connections to the provider's one origin, at most `maximumConnections`
/// at a time, reused last-in first-out so that idle ones age out.
///
/// Written for this client instead of taking a general HTTP client: the provider is one host
/// with three endpoints and bodiless requests, and a general client's pool, request state
/// machines and task hops are a large share of the worker's CPU per record (docs/benchmarks.md,
/// "The provider client's own connection pool"). TLS is swift-nio-ssl with full certificate
/// and host name verification. Through an HTTP proxy (``ProxyRoute``), a connection is a
/// `CONNECT` tunnel for an `https` origin, pooled like a direct one, or a connection to the
/// proxy carrying absolute-form requests for an `http` origin.
///
/// The bookkeeping is ``ConnectionPoolState``; this class is its shell. Each event (a request,
/// a release, a connect's outcome, a close, a timer, a cancellation, shutdown) goes to the
/// state under the lock, and the action it returns is performed outside the lock: waiters
/// resumed, connections opened and closed, timers scheduled.
final class ConnectionPool: Sendable {
    typealias State = ConnectionPoolState<PooledConnection, UInt64>
    typealias Grant = State.Grant

    let origin: HTTPOrigin
    let route: ProxyRoute
    private let opener: ConnectionOpener
    /// What goes before each target in the request line (``ProxyRoute/requestPrefix(_:)``).
    private let requestPrefix: String
    /// `Proxy-Authorization` for every request, through a forwarding proxy with credentials.
    private let proxyAuthorization: Secret<String>?
    let group: any EventLoopGroup
    private let connectTimeout: Duration
    /// The state and the shell's own records, under one lock.
    let shell: NIOLockedValueBox<Shell>

    /// - Parameter proxy: The proxy to go through, unless its `NO_PROXY` list names the origin.
    /// - Throws: ``TransportError/invalidBaseURL(_:)`` or ``TransportError/tlsUnavailable(_:)``.
    init(
        baseURL: String,
        group: any EventLoopGroup,
        maximumConnections: Int,
        connectTimeout: Duration,
        idleTimeout: Duration = .seconds(60),
        maximumBodyBytes: Int,
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration(),
        proxy: ProviderProxy? = nil
    ) throws(TransportError) {
        origin = try HTTPOrigin(baseURL: baseURL)
        route = ProxyRoute(origin: origin, proxy: proxy)
        requestPrefix = route.requestPrefix(origin)
        proxyAuthorization = route.requestAuthorization
        let tls: NIOSSLContext?
        if origin.useTLS {
            do {
                tls = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw .tlsUnavailable(TransportError.kind(of: error))
            }
        } else {
            tls = nil
        }
        opener = ConnectionOpener(origin: origin, route: route, group: group, tls: tls, maximumBodyBytes: maximumBodyBytes)
        self.group = group
        self.connectTimeout = connectTimeout
        shell = NIOLockedValueBox(Shell(state: State(maximumConnections: maximumConnections, idleTimeout: idleTimeout)))
    }

    /// Sends a bodiless request and reads the whole answer by `deadline`.
    ///
    /// A request that a reused connection failed to write (the provider closed it while idle)
    /// is sent once more on a new connection: nothing reached the provider. Any other failure
    /// is the caller's to retry or not. A 407 from a forwarding proxy is
    /// ``TransportError/proxyRefused(status:credentialsSent:)``, as it would be for `CONNECT`.
    func execute(
        method: HTTPMethod, target: String, headers: HTTPHeaders, deadline: ContinuousClock.Instant
    ) async throws(TransportError) -> HTTPAnswer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: requestPrefix + target, headers: headers)
        head.headers.replaceOrAdd(name: "host", value: origin.hostHeader)
        if let proxyAuthorization { head.headers.replaceOrAdd(name: "proxy-authorization", value: proxyAuthorization.revealed) }
        if method == .POST || method == .PUT { head.headers.replaceOrAdd(name: "content-length", value: "0") }
        let nioDeadline = NIODeadline.now() + TimeAmount(deadline - .now)
        var resentOnce = false
        while true {
            let (connection, reused) = try await checkout(deadline: deadline)
            // A connection granted as the deadline passed: writing now would have the provider
            // act on a request its caller has given up on.
            guard ContinuousClock.now < deadline else {
                checkin(connection, reusable: true)
                throw .timedOut
            }
            let response: CollectedResponse
            do {
                response = try await connection.send(head, deadline: nioDeadline)
            } catch {
                discard(connection)
                let failure = Self.transportError(error)
                if failure == .notSent, reused, !resentOnce, !Task.isCancelled {
                    resentOnce = true
                    continue
                }
                throw failure
            }
            checkin(connection, reusable: response.keepAlive)
            // The provider never answers 407; a forwarding proxy does, for itself.
            if response.answer.status == 407, case .forward = route {
                throw .proxyRefused(status: 407, credentialsSent: proxyAuthorization != nil)
            }
            return response.answer
        }
    }

    /// Connections open or being opened, busy or idle.
    var connectionCount: Int { shell.withLockedValue { $0.state.connectionCount } }

    /// Closes every connection and fails waiting callers; later calls fail with `.shutDown`.
    func shutdown() async {
        let work = apply { state, _ in state.shutdown() }
        for connection in work.close {
            try? await connection.channel.closeFuture.get()
        }
    }

    // MARK: - Checking connections out and in

    private func checkout(deadline: ContinuousClock.Instant) async throws(TransportError) -> (PooledConnection, reused: Bool) {
        while true {
            let (waiter, grant) = await request(deadline: deadline)
            switch grant {
            case .connection(let connection, let reused):
                // The state reads no channel: one the provider closed while idle can be handed
                // out before its close is reported. It is replaced, as nothing was sent on it.
                guard connection.channel.isActive else {
                    discard(connection)
                    continue
                }
                return (connection, reused)
            case .connect:
                return (try await connect(for: waiter, deadline: deadline), false)
            case .failed(let error):
                throw error
            }
        }
    }

    /// Asks the state for a connection, and waits in its queue when it says so.
    private func request(deadline: ContinuousClock.Instant) async -> (waiter: UInt64, Grant) {
        let now = ContinuousClock.now
        let (waiter, work) = shell.withLockedValue { shell in
            shell.nextWaiterID += 1
            let waiter = shell.nextWaiterID
            let action = shell.state.request(waiter, deadline: deadline, now: now)
            return (waiter, shell.resolve(action, caller: waiter))
        }
        perform(work)
        switch work.caller {
        case .answer(let grant): return (waiter, grant)
        case .wait(let deadline): return (waiter, await park(waiter, deadline: deadline))
        case .none: preconditionFailure("ConnectionPoolState answers or queues every request")
        }
    }

    /// Returns a connection after a whole answer: to a waiting caller, to the idle stack, or
    /// closed when the provider asked for that or closed it.
    private func checkin(_ connection: PooledConnection, reusable: Bool) {
        let reusable = reusable && connection.channel.isActive
        apply { state, now in state.connectionReleased(connection, reusable: reusable, now: now) }
    }

    /// Forgets and closes a connection; its place goes to a waiting caller, if any.
    private func discard(_ connection: PooledConnection) {
        apply { state, now in state.connectionReleased(connection, reusable: false, now: now) }
    }

    // MARK: - Opening connections

    /// Opens a connection in the place the state granted `waiter`.
    private func connect(for waiter: UInt64, deadline: ContinuousClock.Instant) async throws(TransportError) -> PooledConnection {
        let timeout = min(connectTimeout, deadline - .now)
        let connection: PooledConnection
        do {
            guard timeout > .zero else { throw TransportError.timedOut }
            connection = try await opener.open(timeout: timeout)
        } catch {
            apply { state, _ in state.connectFailed() }
            throw Self.transportError(error, connecting: true)
        }
        let work = apply(caller: waiter) { state, _ in state.connectionEstablished(connection, for: waiter) }
        if case .answer(.failed(let error)) = work.caller { throw error }
        // A connection the provider closes while idle leaves the pool by itself.
        connection.channel.closeFuture.whenComplete { [weak self, weak connection] _ in
            guard let self, let connection else { return }
            self.apply { state, _ in state.connectionClosed(connection) }
        }
        return connection
    }

    private static func transportError(_ error: any Error, connecting: Bool = false) -> TransportError {
        if let error = error as? TransportError { return error }
        if error is CancellationError { return .cancelled }
        if let error = error as? ChannelError, case .connectTimeout = error { return .timedOut }
        return connecting ? .connectFailed(TransportError.kind(of: error)) : .connectionFailed(TransportError.kind(of: error))
    }
}
