import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive HTTP/1.1 connections to the provider's one origin, at most `maximumConnections`
/// at a time, reused last-in first-out so that idle ones age out.
///
/// Written for this client instead of taking a general HTTP client: the provider is one host
/// with three endpoints and bodiless requests, and async-http-client's pool, request state
/// machines and task hops took about a third of the worker's CPU per record (otp-bench,
/// README). TLS is swift-nio-ssl with full certificate and host name verification.
final class ConnectionPool: Sendable {
    /// What a caller waiting for a connection is given.
    private enum Grant {
        case idle(PooledConnection)
        case connect
        case failed(TransportError)
    }

    private struct Entry {
        var connection: PooledConnection
        var idleSince: NIODeadline?
    }

    private struct State {
        /// Every open connection, busy or idle.
        var connections: [ObjectIdentifier: Entry] = [:]
        /// Idle connections, the most recently used last.
        var idle: [ObjectIdentifier] = []
        var connecting = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Grant, Never>)] = []
        var nextWaiterID: UInt64 = 0
        var isShutDown = false

        var total: Int { connections.count + connecting }
    }

    let origin: HTTPOrigin
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let maximumConnections: Int
    private let connectTimeout: Duration
    private let idleTimeout: TimeAmount
    private let maximumBodyBytes: Int
    private let state = NIOLockedValueBox(State())

    /// - Throws: ``TransportError/invalidBaseURL(_:)`` or ``TransportError/tlsUnavailable(_:)``.
    init(
        baseURL: String,
        group: any EventLoopGroup,
        maximumConnections: Int,
        connectTimeout: Duration,
        idleTimeout: Duration = .seconds(60),
        maximumBodyBytes: Int,
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    ) throws(TransportError) {
        origin = try HTTPOrigin(baseURL: baseURL)
        if origin.useTLS {
            do {
                tls = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw .tlsUnavailable(TransportError.kind(of: error))
            }
        } else {
            tls = nil
        }
        self.group = group
        self.maximumConnections = max(1, maximumConnections)
        self.connectTimeout = connectTimeout
        self.idleTimeout = TimeAmount(idleTimeout)
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Sends a bodiless request and reads the whole answer by `deadline`.
    ///
    /// A request that a reused connection failed to write (the provider closed it while idle)
    /// is sent once more on a new connection: nothing reached the provider. Any other failure
    /// is the caller's to retry or not.
    func execute(
        method: HTTPMethod, target: String, headers: HTTPHeaders, deadline: ContinuousClock.Instant
    ) async throws(TransportError) -> HTTPAnswer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: origin.pathPrefix + target, headers: headers)
        head.headers.replaceOrAdd(name: "host", value: origin.hostHeader)
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
            do {
                let response = try await connection.send(head, deadline: nioDeadline)
                checkin(connection, reusable: response.keepAlive)
                return response.answer
            } catch {
                discard(connection)
                let failure = Self.transportError(error)
                if failure == .notSent, reused, !resentOnce, !Task.isCancelled {
                    resentOnce = true
                    continue
                }
                throw failure
            }
        }
    }

    /// Connections open or being opened, busy or idle.
    var connectionCount: Int { state.withLockedValue { $0.total } }

    /// Closes every connection and fails waiting callers; later calls fail with `.shutDown`.
    func shutdown() async {
        let (connections, waiters) = state.withLockedValue { state in
            state.isShutDown = true
            defer {
                state.waiters = []
                state.idle = []
                state.connections = [:]
            }
            return (state.connections.values.map(\.connection), state.waiters)
        }
        waiters.forEach { $0.continuation.resume(returning: .failed(.shutDown)) }
        for connection in connections {
            connection.close()
            try? await connection.channel.closeFuture.get()
        }
    }

    // MARK: - Checking connections out and in

    private func checkout(deadline: ContinuousClock.Instant) async throws(TransportError) -> (PooledConnection, reused: Bool) {
        var stale: [PooledConnection] = []
        let grant = state.withLockedValue { immediateGrant(&$0, stale: &stale) }
        stale.forEach { $0.close() }
        let granted: Grant
        if let grant { granted = grant } else { granted = await waitForGrant(deadline: deadline) }
        switch granted {
        case .idle(let connection): return (connection, true)
        case .connect: return (try await connect(deadline: deadline), false)
        case .failed(let error): throw error
        }
    }

    /// What a caller gets without waiting: the most recently used live idle connection, else a
    /// place to open one, else nil. Idle connections found closed or too old go to `stale`.
    private func immediateGrant(_ state: inout State, stale: inout [PooledConnection]) -> Grant? {
        if state.isShutDown { return .failed(.shutDown) }
        let now = NIODeadline.now()
        while let id = state.idle.popLast() {
            guard let entry = state.connections[id] else { continue }
            if entry.connection.channel.isActive, let since = entry.idleSince, now - since < idleTimeout {
                state.connections[id]!.idleSince = nil
                return .idle(entry.connection)
            }
            state.connections[id] = nil
            stale.append(entry.connection)
        }
        if state.total < maximumConnections {
            state.connecting += 1
            return .connect
        }
        return nil
    }

    /// Returns a connection after a whole answer: to a waiting caller, to the idle stack, or
    /// closed when the provider asked for that.
    private func checkin(_ connection: PooledConnection, reusable: Bool) {
        guard reusable, connection.channel.isActive else {
            discard(connection)
            return
        }
        var expired: [PooledConnection] = []
        let (waiter, close) = state.withLockedValue { state -> (CheckedContinuation<Grant, Never>?, Bool) in
            guard !state.isShutDown, state.connections[connection.id] != nil else { return (nil, true) }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst().continuation, false) }
            let now = NIODeadline.now()
            state.connections[connection.id]!.idleSince = now
            state.idle.append(connection.id)
            // The oldest idle connections sit at the bottom, where checkouts never reach them.
            while let oldest = state.idle.first {
                guard let entry = state.connections[oldest], let since = entry.idleSince else {
                    state.idle.removeFirst()
                    continue
                }
                guard now - since >= idleTimeout else { break }
                state.idle.removeFirst()
                state.connections[oldest] = nil
                expired.append(entry.connection)
            }
            return (nil, false)
        }
        if close { connection.close() }
        expired.forEach { $0.close() }
        waiter?.resume(returning: .idle(connection))
    }

    /// Forgets and closes a connection; its place goes to a waiting caller, if any.
    private func discard(_ connection: PooledConnection) {
        connection.close()
        remove(connection, onlyIfIdle: false)
    }

    /// Takes a connection off the books (a busy one only with `onlyIfIdle` false: its caller
    /// discards it); its place goes to a waiting caller, if any.
    private func remove(_ connection: PooledConnection, onlyIfIdle: Bool) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Grant, Never>? in
            guard let entry = state.connections[connection.id], !onlyIfIdle || entry.idleSince != nil else { return nil }
            state.connections[connection.id] = nil
            state.idle.removeAll { $0 == connection.id }
            return grantPlace(&state)
        }
        waiter?.resume(returning: .connect)
    }

    /// A freed place goes to the first waiter, who opens a connection of its own.
    private func grantPlace(_ state: inout State) -> CheckedContinuation<Grant, Never>? {
        guard !state.isShutDown, !state.waiters.isEmpty, state.total < maximumConnections else { return nil }
        state.connecting += 1
        return state.waiters.removeFirst().continuation
    }

    /// Queues the caller until a connection or a place is free, the deadline passes or its
    /// task is cancelled. The timer is set after the caller is queued, so it cannot miss it.
    private func waitForGrant(deadline: ContinuousClock.Instant) async -> Grant {
        let id = state.withLockedValue { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
        let grant = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Asked again under the same lock as the enqueue: a connection or place freed
                // since `checkout` looked would otherwise wake nobody.
                var stale: [PooledConnection] = []
                let immediate: Grant? = state.withLockedValue { state in
                    if Task.isCancelled { return .failed(.cancelled) }
                    if let grant = immediateGrant(&state, stale: &stale) { return grant }
                    state.waiters.append((id, continuation))
                    return nil
                }
                stale.forEach { $0.close() }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                let scheduled = group.any().scheduleTask(in: TimeAmount(deadline - .now)) { [self] in
                    withdraw(id, with: .timedOut)
                }
                timer.withLockedValue { $0 = scheduled }
            }
        } onCancel: {
            withdraw(id, with: .cancelled)
        }
        timer.withLockedValue { $0 }?.cancel()
        return grant
    }

    /// Takes a waiter out of the queue (if still there) and fails it.
    private func withdraw(_ id: UInt64, with error: TransportError) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Grant, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: .failed(error))
    }

    // MARK: - Opening connections

    /// Opens a connection for a caller that was granted a place (counted in `connecting`).
    private func connect(deadline: ContinuousClock.Instant) async throws(TransportError) -> PooledConnection {
        let timeout = min(connectTimeout, deadline - .now)
        let connection: PooledConnection
        do {
            guard timeout > .zero else { throw TransportError.timedOut }
            connection = try await openChannel(timeout: timeout)
        } catch {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Grant, Never>? in
                state.connecting -= 1
                return grantPlace(&state)
            }
            waiter?.resume(returning: .connect)
            throw Self.transportError(error, connecting: true)
        }
        let admitted = state.withLockedValue { state -> Bool in
            state.connecting -= 1
            guard !state.isShutDown else { return false }
            state.connections[connection.id] = Entry(connection: connection, idleSince: nil)
            return true
        }
        guard admitted else {
            connection.close()
            throw .shutDown
        }
        // A connection the provider closes while idle leaves the pool by itself.
        connection.channel.closeFuture.whenComplete { [weak self, weak connection] _ in
            guard let self, let connection else { return }
            self.remove(connection, onlyIfIdle: true)
        }
        return connection
    }

    private func openChannel(timeout: Duration) async throws -> PooledConnection {
        let origin = self.origin
        let tls = self.tls
        let maximumBodyBytes = self.maximumBodyBytes
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        let channel = try await Self.cancellable(bootstrap.connect(host: origin.host, port: origin.port))
        do {
            let collector = try await channel.eventLoop.submit {
                let pipeline = channel.pipeline.syncOperations
                if let tls {
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: origin.hostIsIPAddress ? nil : origin.host)
                    try pipeline.addHandler(handler)
                }
                try pipeline.addHTTPClientHandlers()
                let collector = ResponseCollector(maximumBodyBytes: maximumBodyBytes)
                try pipeline.addHandler(collector)
                return NIOLoopBound(collector, eventLoop: channel.eventLoop)
            }.get()
            return PooledConnection(channel: channel, collector: collector)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Awaits a connect, but returns at once when the task is cancelled; a channel that
    /// connects after that is closed.
    private static func cancellable(_ connecting: EventLoopFuture<any Channel>) async throws -> any Channel {
        let waiter = NIOLockedValueBox<CheckedContinuation<any Channel, any Error>?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelled = waiter.withLockedValue { waiter -> Bool in
                    if Task.isCancelled { return true }
                    waiter = continuation
                    return false
                }
                if cancelled {
                    connecting.whenSuccess { $0.close(promise: nil) }
                    continuation.resume(throwing: CancellationError())
                    return
                }
                connecting.whenComplete { result in
                    guard let continuation = waiter.withLockedValue({ $0.take() }) else {
                        if case .success(let channel) = result { channel.close(promise: nil) }
                        return
                    }
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            waiter.withLockedValue { $0.take() }?.resume(throwing: CancellationError())
        }
    }

    private static func transportError(_ error: any Error, connecting: Bool = false) -> TransportError {
        if let error = error as? TransportError { return error }
        if error is CancellationError { return .cancelled }
        if let error = error as? ChannelError, case .connectTimeout = error { return .timedOut }
        return connecting ? .connectFailed(TransportError.kind(of: error)) : .connectionFailed(TransportError.kind(of: error))
    }
}
