import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A real HTTP/1.1 server on loopback for the connection pool's tests, answering by path:
/// `/ok` 200 with a small JSON body, `/slow` after 200 ms, `/hang` never, `/big` 8 KiB,
/// `/close` with `connection: close`, `/idle-close` as `/ok` and then closing the idle
/// connection, and `/reset` by closing without an answer.
/// It counts the connections it accepted and the most open at once.
final class TestHTTPServer: Sendable {
    private struct Counts {
        var accepted = 0
        var open = 0
        var mostOpen = 0
        var requests = 0
    }

    private let counts = NIOLockedValueBox(Counts())
    private let channel: any Channel
    let port: Int

    /// Starts a server; with `tls`, it speaks HTTPS with ``TestCertificate``.
    static func start(tls: Bool = false) async throws -> TestHTTPServer {
        try await TestHTTPServer(tls: tls)
    }

    private init(tls: Bool) async throws {
        let sslContext: NIOSSLContext? = tls ? try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem)))) : nil
        let counts = self.counts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                counts.withLockedValue { counts in
                    counts.accepted += 1
                    counts.open += 1
                    counts.mostOpen = max(counts.mostOpen, counts.open)
                }
                child.closeFuture.whenComplete { _ in counts.withLockedValue { $0.open -= 1 } }
                return child.eventLoop.makeCompletedFuture {
                    if let sslContext { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Responder(counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var accepted: Int { counts.withLockedValue { $0.accepted } }
    var open: Int { counts.withLockedValue { $0.open } }
    var mostOpen: Int { counts.withLockedValue { $0.mostOpen } }
    var requests: Int { counts.withLockedValue { $0.requests } }

    func stop() async {
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let counts: NIOLockedValueBox<Counts>
        private var path = ""

        init(counts: NIOLockedValueBox<Counts>) {
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = String(head.uri.prefix { $0 != "?" })
                counts.withLockedValue { $0.requests += 1 }
            case .body:
                break
            case .end:
                respond(context: context)
            }
        }

        private func respond(context: ChannelHandlerContext) {
            switch path {
            case "/hang":
                return
            case "/reset":
                context.close(promise: nil)
            case "/slow":
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(200)) {
                    let (responder, context) = loopBound.value
                    responder.write(context: context, body: #"{"slow":true}"#, close: false)
                }
            case "/big":
                write(context: context, body: String(repeating: "x", count: 8192), close: false)
            case "/close":
                write(context: context, body: #"{"closing":true}"#, close: true)
            case "/idle-close":
                write(context: context, body: #"{"ok":true}"#, close: false)
                let channel = context.channel
                context.eventLoop.scheduleTask(in: .milliseconds(20)) { channel.close(promise: nil) }
            default:
                write(context: context, body: #"{"ok":true}"#, close: false)
            }
        }

        private func write(context: ChannelHandlerContext, body: String, close: Bool) {
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "content-length", value: String(body.utf8.count))
            if close { head.headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if close {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
