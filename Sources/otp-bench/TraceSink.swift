import Hummingbird
import Logging
import NIOCore
import Primitives
import ServiceLifecycle

/// A local OTLP/HTTP endpoint that accepts `POST /v1/traces` and discards the body, counting
/// requests, bytes and spans (by their `"traceId"` keys): the collector of the traces-on runs,
/// as cheap as a collector can be, so the figures are the worker's cost.
final class TraceSink: Sendable {
    private struct Counts {
        var posts = 0
        var bytes = 0
        var spans = 0
    }

    private let counts = Locked(Counts())
    let port: Int

    fileprivate init(port: Int) { self.port = port }

    /// The value for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// (posts, bytes, spans) so far.
    var totals: (posts: Int, bytes: Int, spans: Int) { counts.withLock { ($0.posts, $0.bytes, $0.spans) } }

    fileprivate func received(_ body: ByteBuffer) {
        let key = Array(#""traceId""#.utf8)
        let view = body.readableBytesView
        var spans = 0
        var index = view.startIndex
        // A plain scan: the key occurs once per span, nowhere else in OTLP/JSON.
        while index <= view.endIndex - key.count {
            if view[index] == key[0] && view[index..<(index + key.count)].elementsEqual(key) {
                spans += 1
                index += key.count
            } else {
                index += 1
            }
        }
        counts.withLock {
            $0.posts += 1
            $0.bytes += view.count
            $0.spans += spans
        }
    }
}

/// Runs `body` with a sink listening on loopback; stops it afterwards.
func withTraceSink<T: Sendable>(_ body: (TraceSink) async throws -> T) async throws -> T {
    let listening = BoundPortSignal()
    let holder = Locked<TraceSink?>(nil)
    let router = Router()
    router.post("/v1/traces") { request, _ -> Response in
        let bytes = try await request.body.collect(upTo: 64 << 20)
        holder.withLock { $0 }?.received(bytes)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    let logger = quietLogger("otp-bench.trace-sink")
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in listening.succeed(port: channel.localAddress?.port ?? 0) },
        logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            let sink = TraceSink(port: try await listening.wait())
            holder.withLock { $0 = sink }
            result = .success(try await body(sink))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        return try result.get()
    }
}
