import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A small HTTP proxy on loopback for the proxy tests. It tunnels `CONNECT` (answering 200 and
/// then relaying bytes both ways) and forwards absolute-form requests to the origin their URI
/// names, rewritten to origin form, relaying the answers back. It records every `CONNECT`
/// target, every absolute-form URI and every `Proxy-Authorization` it saw.
///
/// Requests must be bodiless, as the client's are: a head is a whole request.
final class TestProxy: Sendable {
    /// How the proxy answers a request head.
    enum Behaviour: Sendable {
        /// Serves everything; with `authorization`, only requests carrying exactly that
        /// `Proxy-Authorization`, answering the others 407.
        case serve(authorization: String?)
        /// Answers every request with this status and closes.
        case refuse(status: Int)
        /// Reads requests and never answers them.
        case silent
    }

    struct Records: Sendable {
        var accepted = 0
        var connects: [String] = []
        var forwarded: [String] = []
        var authorizations: [String?] = []
    }

    private let records = NIOLockedValueBox(Records())
    private let channel: any Channel
    let port: Int

    /// Starts a proxy on a free port of 127.0.0.1.
    static func start(_ behaviour: Behaviour = .serve(authorization: nil)) async throws -> TestProxy {
        try await TestProxy(behaviour)
    }

    private init(_ behaviour: Behaviour) async throws {
        let records = self.records
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                records.withLockedValue { $0.accepted += 1 }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ClientSide(behaviour: behaviour, records: records))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Connections the proxy accepted from clients.
    var accepted: Int { records.withLockedValue { $0.accepted } }
    /// `CONNECT` targets (`host:port`), in order.
    var connects: [String] { records.withLockedValue { $0.connects } }
    /// Absolute-form request URIs, in order.
    var forwarded: [String] { records.withLockedValue { $0.forwarded } }
    /// Each request's `Proxy-Authorization`, nil where it had none.
    var authorizations: [String?] { records.withLockedValue { $0.authorizations } }

    func stop() async {
        try? await channel.close()
    }
}

extension TestProxy {
    /// One client's connection: reads request heads until it becomes a tunnel.
    private final class ClientSide: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let behaviour: Behaviour
        private let records: NIOLockedValueBox<Records>
        private var received = ByteBuffer()
        /// Once a `CONNECT` is accepted, everything the client sends is the origin's.
        private var tunnelling = false
        /// The connection to the origin, once connected; bytes wait in `queued` until then.
        private var upstream: (any Channel)?
        private var connecting = false
        private var queued: [ByteBuffer] = []

        init(behaviour: Behaviour, records: NIOLockedValueBox<Records>) {
            self.behaviour = behaviour
            self.records = records
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            if tunnelling {
                send(bytes)
                return
            }
            received.writeBuffer(&bytes)
            while !tunnelling, let head = takeHead() {
                handle(head, context: context)
            }
            if tunnelling, received.readableBytes > 0 {
                send(received)
                received.clear()
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            upstream?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        /// One request head without its blank line, as lines; nil until a whole one came.
        private func takeHead() -> [String]? {
            let bytes = Array(received.readableBytesView)
            guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual("\r\n\r\n".utf8) }) else {
                return nil
            }
            received.moveReaderIndex(forwardBy: end + 4)
            received.discardReadBytes()
            return String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n" as Character, omittingEmptySubsequences: false).map(String.init)
        }

        private func handle(_ lines: [String], context: ChannelHandlerContext) {
            let requestLine = lines[0].split(separator: " ").map(String.init)
            guard requestLine.count == 3 else {
                answer(400, context: context)
                return
            }
            let (method, target) = (requestLine[0], requestLine[1])
            let authorization = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
                .map { String($0.dropFirst("proxy-authorization:".count).drop { $0 == " " }) }
            records.withLockedValue { $0.authorizations.append(authorization) }
            switch behaviour {
            case .silent:
                return
            case .refuse(let status):
                answer(status, context: context)
                return
            case .serve(let required):
                if let required, authorization != required {
                    answer(407, context: context)
                    return
                }
            }
            if method == "CONNECT" {
                records.withLockedValue { $0.connects.append(target) }
                tunnelling = true
                connect(to: target, answeringConnect: true, context: context)
                return
            }
            // Absolute form: http://host:port/path?query
            guard target.hasPrefix("http://") else {
                answer(400, context: context)
                return
            }
            records.withLockedValue { $0.forwarded.append(target) }
            let rest = target.dropFirst("http://".count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = String(rest[..<slash])
            let path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
            var rewritten = "\(method) \(path) \(requestLine[2])\r\n"
            for line in lines.dropFirst() where !line.lowercased().hasPrefix("proxy-") {
                rewritten += line + "\r\n"
            }
            rewritten += "\r\n"
            if upstream == nil, !connecting {
                connect(to: authority.contains(":") ? authority : authority + ":80", answeringConnect: false, context: context)
            }
            send(ByteBuffer(string: rewritten))
        }

        /// Connects to `target` (`host:port`), relaying its bytes back to the client; for a
        /// `CONNECT`, answers 200 once connected.
        private func connect(to target: String, answeringConnect: Bool, context: ChannelHandlerContext) {
            guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
                answer(400, context: context)
                return
            }
            var host = String(target[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let client = context.channel
            connecting = true
            let connected = ClientBootstrap(group: context.eventLoop)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture { try upstream.pipeline.syncOperations.addHandler(Relay(to: client)) }
                }
                .connect(host: host, port: port)
            connected.assumeIsolated().whenComplete { [self] result in
                connecting = false
                switch result {
                case .success(let channel):
                    upstream = channel
                    if answeringConnect {
                        client.writeAndFlush(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"), promise: nil)
                    }
                    for bytes in queued { channel.write(bytes, promise: nil) }
                    queued.removeAll()
                    channel.flush()
                case .failure:
                    answer(502, context: context)
                }
            }
        }

        private func send(_ bytes: ByteBuffer) {
            if let upstream {
                upstream.writeAndFlush(bytes, promise: nil)
            } else {
                queued.append(bytes)
            }
        }

        private func answer(_ status: Int, context: ChannelHandlerContext) {
            var head = "HTTP/1.1 \(status) Test Proxy\r\ncontent-length: 0\r\nconnection: close\r\n"
            if status == 407 { head += "proxy-authenticate: Basic realm=\"test\"\r\n" }
            head += "\r\n"
            let channel = context.channel
            channel.writeAndFlush(ByteBuffer(string: head)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// The origin's side of a tunnel or forwarded connection: copies its bytes to the client.
    private final class Relay: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let client: any Channel

        init(to client: any Channel) {
            self.client = client
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            client.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            client.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
