import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import MessageCentral

/// The collector on an embedded channel: what a request reports depends on when the
/// connection failed, and cancellations reach only the request they were meant for.
@Suite("One request at a time on a provider connection")
struct ResponseCollectorTests {
    private struct Refused: Error {}

    /// A connected channel with the collector; each test finishes it, which runs what the
    /// embedded loop still holds (timers), so nothing outlives the test.
    private func connected() throws -> (EmbeddedChannel, ResponseCollector) {
        let collector = ResponseCollector(maximumBodyBytes: 1024)
        let channel = EmbeddedChannel(handler: collector)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, collector)
    }

    private func send(_ collector: ResponseCollector, on channel: EmbeddedChannel, id: UInt64) -> EventLoopFuture<CollectedResponse> {
        let promise = channel.eventLoop.makePromise(of: CollectedResponse.self)
        collector.send(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/x"), id: id,
                       deadline: .now() + .seconds(30), promise: promise)
        return promise.futureResult
    }

    private func answer(_ channel: EmbeddedChannel) throws {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "content-length", value: "2")
        try channel.writeInbound(HTTPClientResponsePart.head(head))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: "{}")))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
    }

    private func failure(of future: EventLoopFuture<CollectedResponse>) -> TransportError? {
        var failure: TransportError?
        future.assumeIsolated().whenFailure { failure = $0 as? TransportError }
        return failure
    }

    @Test("an answer completes its request and leaves the connection open for the next")
    func answered() throws {
        let (channel, collector) = try connected()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        let first = send(collector, on: channel, id: 1)
        #expect(try channel.readOutbound(as: HTTPClientRequestPart.self) != nil, "the head was written")
        try answer(channel)
        let response = try first.wait()
        #expect(response.answer.status == 200 && response.keepAlive)
        #expect(String(buffer: response.answer.body) == "{}")
        #expect(channel.isActive)
    }

    @Test("a failure before the first answer (a TLS handshake) is what the next request reports")
    func failureBeforeFirstAnswer() throws {
        let (channel, collector) = try connected()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        channel.pipeline.fireErrorCaught(Refused())
        #expect(!channel.isActive)
        #expect(failure(of: send(collector, on: channel, id: 1)) == .connectionFailed("Refused"))
    }

    @Test("after an answer, a connection found closed reports notSent, which the pool may resend")
    func closedAfterAnswer() throws {
        let (channel, collector) = try connected()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        _ = send(collector, on: channel, id: 1)
        try answer(channel)
        channel.pipeline.fireErrorCaught(Refused())
        #expect(failure(of: send(collector, on: channel, id: 2)) == .notSent)
    }

    @Test("a cancel for a request that is over leaves the connection open; one for a request not yet started keeps it unwritten")
    func cancellationReachesItsRequestOnly() throws {
        let (channel, collector) = try connected()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        _ = send(collector, on: channel, id: 1)
        try answer(channel)
        _ = try channel.readOutbound(as: HTTPClientRequestPart.self)
        _ = try channel.readOutbound(as: HTTPClientRequestPart.self)
        collector.cancel(id: 1)
        #expect(channel.isActive, "a late cancel must not close a connection that went back to the pool")

        collector.cancel(id: 2)
        #expect(failure(of: send(collector, on: channel, id: 2)) == .cancelled)
        #expect(try channel.readOutbound(as: HTTPClientRequestPart.self) == nil, "nothing written")

        let third = send(collector, on: channel, id: 3)
        collector.cancel(id: 3)
        #expect(failure(of: third) == .cancelled)
        #expect(!channel.isActive, "a request cancelled while pending closes its connection")
    }

    @Test("a body over the limit fails the request and closes the connection")
    func bodyLimit() throws {
        let (channel, collector) = try connected()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        let request = send(collector, on: channel, id: 1)
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(repeating: 0x61, count: 1025)))
        #expect(failure(of: request) == .answerTooLarge(limit: 1024))
        #expect(!channel.isActive)
    }
}
