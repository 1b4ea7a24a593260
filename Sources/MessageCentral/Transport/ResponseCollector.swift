import NIOCore
import NIOHTTP1

/// One HTTP answer, whatever its status.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: ByteBuffer
}

/// One whole answer read off a connection, and whether the connection may carry another.
struct CollectedResponse: Sendable {
    var answer: HTTPAnswer
    var keepAlive: Bool
}

/// The last handler of a provider connection: writes one request at a time and collects its
/// answer into a promise, bounded by a deadline and a body size limit.
///
/// Event-loop bound like every handler. Any failure closes the connection, so a connection is
/// reused only after a whole, orderly answer.
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private struct Pending {
        var id: UInt64
        var promise: EventLoopPromise<CollectedResponse>
        var timer: Scheduled<Void>?
        var status: Int?
        var keepAlive = true
        var body: ByteBuffer?
        /// Until the request is written, a failure means the provider never saw it.
        var written = false
    }

    private let maximumBodyBytes: Int
    private var context: ChannelHandlerContext?
    private var pending: Pending?
    private var isClosed = false
    /// Why the connection failed before its first answer (a failed TLS handshake), reported
    /// to the request that finds it closed. Later, a closed connection means `.notSent`.
    private var failure: TransportError?
    private var answered = false
    /// The newest request started, and one cancelled before it started, by id.
    private var lastStarted: UInt64 = 0
    private var cancelledEarly: UInt64?

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(.closedBeforeAnswer)
        self.context = nil
    }

    /// Writes `head` (without a body) and completes `promise` with its answer. Called on the
    /// channel's event loop, never while another request is pending; `id` grows with every
    /// request on the connection.
    func send(_ head: HTTPRequestHead, id: UInt64, deadline: NIODeadline, promise: EventLoopPromise<CollectedResponse>) {
        lastStarted = id
        if cancelledEarly == id {
            promise.fail(TransportError.cancelled)
            return
        }
        guard let context, !isClosed, pending == nil else {
            promise.fail(failure ?? TransportError.notSent)
            return
        }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fail(.timedOut)
            return
        }
        pending = Pending(id: id, promise: promise, timer: timer)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                self.pending?.written = true
            case .failure(let error as ChannelError) where error == .ioOnClosedChannel || error == .alreadyClosed:
                self.fail(.notSent)
            case .failure(let error):
                // A failed TLS handshake fails the write too: name the cause.
                self.fail(.connectionFailed(TransportError.kind(of: error)))
            }
        }
    }

    /// Cancels request `id`: fails it with `.cancelled` and closes the connection if it is
    /// pending, keeps it from being written if it has not started, and does nothing once it is
    /// over (the connection may already serve another request).
    func cancel(id: UInt64) {
        if pending?.id == id {
            fail(.cancelled)
        } else if id > lastStarted {
            cancelledEarly = id
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard pending != nil else {
            // An answer nobody asked for: the connection is out of step.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            pending!.status = Int(head.status.code)
            pending!.keepAlive = head.isKeepAlive
        case .body(var part):
            let size = (pending!.body?.readableBytes ?? 0) + part.readableBytes
            guard size <= maximumBodyBytes else {
                fail(.answerTooLarge(limit: maximumBodyBytes))
                return
            }
            if pending!.body == nil {
                pending!.body = part
            } else {
                pending!.body!.writeBuffer(&part)
            }
        case .end:
            let done = pending!
            pending = nil
            done.timer?.cancel()
            guard let status = done.status else {
                done.promise.fail(TransportError.closedBeforeAnswer)
                context.close(promise: nil)
                return
            }
            answered = true
            done.promise.succeed(CollectedResponse(
                answer: HTTPAnswer(status: status, body: done.body ?? ByteBuffer()), keepAlive: done.keepAlive && !isClosed))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        fail(.closedBeforeAnswer)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure = TransportError.connectionFailed(TransportError.kind(of: error))
        if pending == nil, !answered, self.failure == nil { self.failure = failure }
        fail(failure)
    }

    /// Completes the pending request with `error` and closes the connection.
    private func fail(_ error: TransportError) {
        if let pending {
            self.pending = nil
            pending.timer?.cancel()
            // Once written, the provider may have acted on it, whatever closed the connection.
            let reported = (error == .notSent && pending.written) ? TransportError.closedBeforeAnswer : error
            pending.promise.fail(reported)
        }
        if !isClosed {
            isClosed = true
            context?.close(promise: nil)
        }
    }
}
