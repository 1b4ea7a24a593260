import Hummingbird
import Logging
import NIOCore
import Primitives
import ServiceLifecycle
import TestSupport

/// A local OTLP/HTTP collector for tests: `POST /v1/traces` with a JSON body, on loopback and a
/// port of its own. It keeps every span it receives and the content types it was sent.
final class OTLPReceiver: Sendable {
    private let received = Locked<[ReceivedSpan]>([])
    private let contentTypes = Locked<Set<String>>([])
    private let malformed = Locked<[String]>([])
    let port: Int

    fileprivate init(port: Int) { self.port = port }

    /// The value for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    var spans: [ReceivedSpan] { received.withLock { $0 } }
    var seenContentTypes: Set<String> { contentTypes.withLock { $0 } }
    /// Bodies that were not OTLP/JSON, with why.
    var refusals: [String] { malformed.withLock { $0 } }

    fileprivate func accept(_ body: ByteBuffer, contentType: String?) -> Bool {
        contentTypes.withLock { _ = $0.insert(contentType ?? "none") }
        do {
            let spans = try ReceivedSpan.parse(body.readableBytesView)
            received.withLock { $0.append(contentsOf: spans) }
            return true
        } catch {
            malformed.withLock { $0.append("\(error)") }
            return false
        }
    }
}

/// Runs `body` with a receiver listening; stops it however `body` ends.
func withOTLPReceiver<T: Sendable>(_ body: (OTLPReceiver) async throws -> T) async throws -> T {
    let listening = BoundPortSignal()
    let holder = Locked<OTLPReceiver?>(nil)
    let router = Router()
    router.post("/v1/traces") { request, _ -> Response in
        let bytes = try await request.body.collect(upTo: 16 << 20)
        guard let receiver = holder.withLock({ $0 }),
            receiver.accept(bytes, contentType: request.headers[.contentType])
        else { return Response(status: .badRequest) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }
    let logger = Logger(label: "test.otlp-receiver", factory: { _ in SwiftLogNoOpLogHandler() })
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in listening.succeed(port: channel.localAddress?.port ?? 0) },
        logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            let receiver = OTLPReceiver(port: try await listening.wait())
            holder.withLock { $0 = receiver }
            result = .success(try await body(receiver))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        return try result.get()
    }
}
