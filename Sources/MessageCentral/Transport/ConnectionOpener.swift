import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Opens one connection to the provider's origin: TCP, TLS when the origin asks for it, and
/// the HTTP/1.1 handlers with a ``ResponseCollector``.
struct ConnectionOpener: Sendable {
    let origin: HTTPOrigin
    let group: any EventLoopGroup
    let tls: NIOSSLContext?
    let maximumBodyBytes: Int

    func open(timeout: Duration) async throws -> PooledConnection {
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
}
