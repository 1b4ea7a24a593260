import NIOCore

/// The first handler of a connection to a proxy for an `https` origin: sends
/// `CONNECT host:port HTTP/1.1` and reads the proxy's answer head. On a 2xx it leaves the
/// pipeline and succeeds its promise, and the bytes that follow are the origin's (TLS comes
/// next); any other answer, a close, an error or the deadline fails the promise and closes the
/// connection.
///
/// Event-loop bound like every handler. Written for this client instead of reusing NIO's HTTP
/// decoder: a `CONNECT` answer has no body whatever its headers say (RFC 9110 §9.3.6), and only
/// its status line matters.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Most bytes of an answer head read before giving up on it: proxies answer `CONNECT` in a
    /// few hundred.
    static let maximumHeadBytes = 16 * 1024

    private var request: ByteBuffer?
    private let credentialsSent: Bool
    private let deadline: NIODeadline
    private var promise: EventLoopPromise<Void>?
    private var received = ByteBuffer()
    private var timer: Scheduled<Void>?

    /// - Parameters:
    ///   - target: The origin as `host:port` (IPv6 in brackets).
    ///   - authorization: The `Proxy-Authorization` value, if the proxy has credentials.
    ///   - deadline: When the proxy must have answered: the rest of the connect timeout.
    ///   - promise: Succeeds once the tunnel is up and this handler has left the pipeline.
    init(target: String, authorization: Secret<String>?, deadline: NIODeadline, promise: EventLoopPromise<Void>) {
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let authorization { head += "Proxy-Authorization: \(authorization.revealed)\r\n" }
        head += "\r\n"
        request = ByteBuffer(string: head)
        credentialsSent = authorization != nil
        self.deadline = deadline
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.connectFailed("the proxy connection closed during CONNECT"), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard promise != nil else { return }
        var part = unwrapInboundIn(data)
        received.writeBuffer(&part)
        guard let headEnd = Self.headEnd(in: received) else {
            if received.readableBytes > Self.maximumHeadBytes {
                fail(.proxyUnreadable("its head is longer than \(Self.maximumHeadBytes) bytes"), context: context)
            }
            return
        }
        guard let status = Self.status(ofHead: received.readableBytesView.prefix(headEnd)) else {
            fail(.proxyUnreadable("its status line is not HTTP/1.x"), context: context)
            return
        }
        guard (200..<300).contains(status) else {
            fail(.proxyRefused(status: status, credentialsSent: credentialsSent), context: context)
            return
        }
        // The origin speaks TLS, which the client opens: nothing may come before its handshake.
        guard received.readableBytes == headEnd else {
            fail(.proxyUnreadable("bytes followed its answer before the TLS handshake"), context: context)
            return
        }
        let promise = self.promise
        self.promise = nil
        timer?.cancel()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectFailed("the proxy closed the connection during CONNECT"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connectFailed(TransportError.kind(of: error)), context: context)
    }

    private func start(context: ChannelHandlerContext) {
        guard let request = self.request.take() else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fail(.timedOut, context: context)
        }
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    /// Fails the promise, once, and closes the connection.
    private func fail(_ error: TransportError, context: ChannelHandlerContext) {
        guard let promise = self.promise.take() else { return }
        timer?.cancel()
        promise.fail(error)
        context.close(promise: nil)
    }

    /// The length of the head up to and including its blank line, or nil while it is incomplete.
    static func headEnd(in buffer: ByteBuffer) -> Int? {
        let bytes = buffer.readableBytesView
        var matched = 0
        for (offset, byte) in bytes.enumerated() {
            let expected: UInt8 = matched % 2 == 0 ? UInt8(ascii: "\r") : UInt8(ascii: "\n")
            if byte == expected {
                matched += 1
                if matched == 4 { return offset + 1 }
            } else {
                matched = byte == UInt8(ascii: "\r") ? 1 : 0
            }
        }
        return nil
    }

    /// The status code of `HTTP/1.x NNN reason`, or nil for anything else.
    static func status(ofHead head: some Collection<UInt8>) -> Int? {
        let line = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2, fields[0].starts(with: Array("HTTP/1.".utf8)), fields[1].count == 3 else { return nil }
        var status = 0
        for digit in fields[1] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            status = status * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return status
    }
}
