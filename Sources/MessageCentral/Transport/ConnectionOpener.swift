import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Opens one connection to the provider's origin: TCP, a `CONNECT` tunnel when the route goes
/// through a proxy to an `https` origin, TLS when the origin asks for it, and the HTTP/1.1
/// handlers with a ``ResponseCollector``.
struct ConnectionOpener: Sendable {
    let origin: HTTPOrigin
    let route: ProxyRoute
    let group: any EventLoopGroup
    let tls: NIOSSLContext?
    let maximumBodyBytes: Int

    /// Opens a connection; `timeout` bounds the TCP connect and, through a proxy, its answer to
    /// `CONNECT` too. The TLS handshake runs with the first request, within its deadline.
    func open(timeout: Duration) async throws -> PooledConnection {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let target = route.connectTarget(origin)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        let channel = try await Self.cancellable(bootstrap.connect(host: target.host, port: target.port))
        do {
            let collector: NIOLoopBound<ResponseCollector>
            if case .tunnel(let proxy) = route {
                collector = try await openTunnel(on: channel, through: proxy, deadline: deadline)
            } else {
                collector = try await channel.eventLoop.submit { try addHTTPHandlers(to: channel) }.get()
            }
            return PooledConnection(channel: channel, collector: collector)
        } catch {
            channel.close(promise: nil)
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }

    /// Asks the proxy for a tunnel to the origin and, on its 2xx, adds the TLS and HTTP handlers
    /// in the same event-loop turn, so that no byte of the origin's goes past them.
    private func openTunnel(
        on channel: any Channel, through proxy: ProviderProxy, deadline: NIODeadline
    ) async throws -> NIOLoopBound<ResponseCollector> {
        let tunnelled = channel.eventLoop.makePromise(of: Void.self)
        let ready = tunnelled.futureResult.flatMapThrowing { try addHTTPHandlers(to: channel) }
        let target = ProviderProxy.authority(host: origin.host, port: origin.port)
        let authorization = proxy.credentials?.basicAuthorization
        let added = channel.eventLoop.submit {
            let handler = ProxyTunnelHandler(target: target, authorization: authorization, deadline: deadline, promise: tunnelled)
            do {
                try channel.pipeline.syncOperations.addHandler(handler)
            } catch {
                tunnelled.fail(error)
                throw error
            }
        }
        return try await withTaskCancellationHandler {
            try await added.get()
            return try await ready.get()
        } onCancel: {
            // Closing fails the tunnel's promise, which ends the wait above.
            channel.close(promise: nil)
        }
    }

    /// Adds TLS (named for the origin, never the proxy: SNI and certificate verification are
    /// the same with a proxy as without), the HTTP/1.1 codec and the collector. On the channel's
    /// event loop.
    private func addHTTPHandlers(to channel: any Channel) throws -> NIOLoopBound<ResponseCollector> {
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            let handler = try NIOSSLClientHandler(context: tls, serverHostname: origin.hostIsIPAddress ? nil : origin.host)
            try pipeline.addHandler(handler)
        }
        try pipeline.addHTTPClientHandlers()
        let collector = ResponseCollector(maximumBodyBytes: maximumBodyBytes)
        try pipeline.addHandler(collector)
        return NIOLoopBound(collector, eventLoop: channel.eventLoop)
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
}
