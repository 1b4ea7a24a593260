import Hummingbird
import NIOCore
import Prometheus

extension ObservabilityServer {
    /// The three routes; plain text everywhere so `curl` and probes read them as they are.
    static func makeRouter(
        registry: PrometheusCollectorRegistry,
        readiness: any ReadinessSource
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Self.text(MetricHelp.insertingHelp(into: registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/healthz") { _, _ in
            // Answering at all is the liveness signal: the process and its event loops work.
            Self.text(Array("ok\n".utf8))
        }
        router.get("/readyz") { _, _ in
            switch readiness.readiness {
            case .ready:
                return Self.text(Array("ready\n".utf8))
            case .notReady(let reason):
                return Self.text(Array("not ready: \(reason)\n".utf8), status: .serviceUnavailable)
            }
        }
        return router
    }

    private static func text(
        _ bytes: [UInt8],
        status: HTTPResponse.Status = .ok,
        contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
