import NIOCore
import NIOEmbedded
import Testing

@testable import MessageCentral

/// The CONNECT exchange without sockets: what is written, and how each answer ends it.
@Suite("CONNECT handler")
struct ProxyTunnelHandlerTests {
    @Test("writes CONNECT with Host, and Proxy-Authorization only with credentials")
    func request() throws {
        let (channel, _) = try start(authorization: Secret("Basic dXNlcjpwQHNz"))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
            == "CONNECT cpaas.messagecentral.com:443 HTTP/1.1\r\nHost: cpaas.messagecentral.com:443\r\nProxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n")
        let (plain, _) = try start(target: "[2001:db8::1]:8443", authorization: nil)
        defer { _ = try? plain.finish(acceptAlreadyClosed: true) }
        #expect(try plain.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
            == "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n")
    }

    @Test("a 2xx, even in pieces and with headers, opens the tunnel and the handler leaves", arguments: [
        ["HTTP/1.1 200 Connection established\r\n\r\n"],
        ["HTTP/1.0 200 OK\r\nVia: 1.1 proxy\r\nContent-Length: 12\r\n\r\n"],
        ["HTTP/1.1 2", "00 OK\r", "\n\r", "\n"],
        ["HTTP/1.1 204 No Content\r\n\r\n"],
    ])
    func tunnelled(parts: [String]) throws {
        let (channel, outcome) = try start(authorization: nil)
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        for part in parts { try channel.writeInbound(ByteBuffer(string: part)) }
        #expect(outcome.value.map { (try? $0.get()) != nil } == true)
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: ProxyTunnelHandler.self) }
        #expect(channel.isActive)
    }

    @Test("any other answer fails the tunnel and closes the connection", arguments: [
        ("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n<html>", TransportError.proxyRefused(status: 407, credentialsSent: false)),
        ("HTTP/1.1 403 Forbidden\r\n\r\n", .proxyRefused(status: 403, credentialsSent: false)),
        ("HTTP/1.1 502 Bad Gateway\r\n\r\n", .proxyRefused(status: 502, credentialsSent: false)),
        ("SSH-2.0-OpenSSH_9.6\r\n\r\n", .proxyUnreadable("its status line is not HTTP/1.x")),
        ("HTTP/1.1 2000 OK\r\n\r\n", .proxyUnreadable("its status line is not HTTP/1.x")),
        ("HTTP/1.1 200 OK\r\n\r\n\u{16}\u{03}", .proxyUnreadable("bytes followed its answer before the TLS handshake")),
    ])
    func refused(answer: String, error: TransportError) throws {
        let (channel, outcome) = try start(authorization: nil)
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try channel.writeInbound(ByteBuffer(string: answer))
        #expect(outcome.failure == error)
        #expect(!channel.isActive)
    }

    @Test("sent credentials turn a 407 into 'refused the credentials'")
    func refusedCredentials() throws {
        let (channel, outcome) = try start(authorization: Secret("Basic eDp5"))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"))
        #expect(outcome.failure == .proxyRefused(status: 407, credentialsSent: true))
    }

    @Test("an endless head, a close and the deadline each fail the tunnel")
    func otherFailures() throws {
        let (long, longOutcome) = try start(authorization: nil)
        defer { _ = try? long.finish(acceptAlreadyClosed: true) }
        try long.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Padding: 0123456789\r\n", count: 1000)))
        #expect(longOutcome.failure == .proxyUnreadable("its head is longer than 16384 bytes"))

        let (closed, closedOutcome) = try start(authorization: nil)
        defer { _ = try? closed.finish(acceptAlreadyClosed: true) }
        closed.pipeline.fireChannelInactive()
        #expect(closedOutcome.failure == .connectFailed("the proxy closed the connection during CONNECT"))

        let (late, lateOutcome) = try start(authorization: nil, deadline: .uptimeNanoseconds(0) + .seconds(1))
        defer { _ = try? late.finish(acceptAlreadyClosed: true) }
        #expect(lateOutcome.value == nil)
        late.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(lateOutcome.failure == .timedOut)
        #expect(!late.isActive)
    }

    @Test("status lines", arguments: [
        ("HTTP/1.1 200 Connection established", 200 as Int?),
        ("HTTP/1.0 407 Proxy Authentication Required", 407),
        ("HTTP/1.1 503", 503),
        ("HTTP/2 200", nil),
        ("HTTP/1.1 20x OK", nil),
        ("", nil),
    ])
    func statusLine(line: String, status: Int?) {
        #expect(ProxyTunnelHandler.status(ofHead: Array((line + "\r\n").utf8)) == status)
    }
}

// MARK: - Helpers

/// How a tunnel's promise ended, once it has.
private final class Outcome {
    var value: Result<Void, any Error>?

    var failure: TransportError? {
        guard case .failure(let error) = value else { return nil }
        return error as? TransportError
    }
}

/// An active embedded channel with the handler added, and its promise's outcome. Each test
/// finishes the channel, which fails a promise still open, so none is leaked.
private func start(
    target: String = "cpaas.messagecentral.com:443", authorization: Secret<String>?, deadline: NIODeadline = .distantFuture
) throws -> (EmbeddedChannel, Outcome) {
    let channel = EmbeddedChannel()
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3128)).wait()
    let promise = channel.eventLoop.makePromise(of: Void.self)
    let outcome = Outcome()
    promise.futureResult.assumeIsolated().whenComplete { outcome.value = $0 }
    try channel.pipeline.syncOperations.addHandler(
        ProxyTunnelHandler(target: target, authorization: authorization, deadline: deadline, promise: promise))
    return (channel, outcome)
}
