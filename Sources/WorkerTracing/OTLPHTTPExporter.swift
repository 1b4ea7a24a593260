import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Posts batches to an OTLP/HTTP collector as JSON (`POST /v1/traces`,
/// `Content-Type: application/json`).
///
/// One short connection per batch: batches go out a few times a second at most, so a pool
/// would save nothing worth its code. A 2xx answer is success; anything else, a refused
/// connection or the timeout is an error for the processor to count.
public struct OTLPHTTPExporter: SpanExporter {
    /// Where batches are posted.
    public let endpoint: OTLPEndpoint
    /// Extra request headers (`OTEL_EXPORTER_OTLP_HEADERS`); their values are never logged.
    public let headers: [(name: String, value: String)]
    /// Bound on one export: connect, request and answer.
    public let timeout: Duration
    /// Turns a batch into the request body.
    public let encoder: OTLPJSONEncoder
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?

    /// - Throws: when TLS cannot be set up for an `https` endpoint.
    public init(
        endpoint: OTLPEndpoint, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(10),
        encoder: OTLPJSONEncoder, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.endpoint = endpoint
        self.headers = headers
        self.timeout = timeout
        self.encoder = encoder
        self.group = group
        tls = endpoint.secure ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    /// Posts `spans` as one request.
    /// - Throws: ``OTLPExportError``, or the connection's error.
    public func export(_ spans: [FinishedSpan]) async throws {
        guard !spans.isEmpty else { return }
        let body = encoder.encode(spans)
        let timeout = self.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.post(body) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw OTLPExportError.timedOut(timeout)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Nothing to release: every export has its own connection.
    public func shutdown() async {}

    private func post(_ body: [UInt8]) async throws {
        let endpoint = self.endpoint
        let tls = self.tls
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: endpoint.hostIsName ? endpoint.host : nil))
                    }
                    try pipeline.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        head.headers.add(name: "Connection", value: "close")
        for header in headers { head.headers.add(name: header.name, value: header.value) }
        let status: Int? = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))
            var status: Int?
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body: continue
                case .end: return status
                }
            }
            return status
        }
        guard let status else { throw OTLPExportError.noAnswer }
        guard (200..<300).contains(status) else { throw OTLPExportError.refused(status: status) }
    }
}

/// Why an export failed; says nothing of the spans or the request headers.
public enum OTLPExportError: Error, CustomStringConvertible, Sendable {
    /// The collector answered, but not with a 2xx status.
    case refused(status: Int)
    /// The connection ended before an answer.
    case noAnswer
    /// No answer within the exporter's timeout.
    case timedOut(Duration)

    /// The reason, for the log line.
    public var description: String {
        switch self {
        case .refused(let status): "the collector answered HTTP \(status)"
        case .noAnswer: "the collector closed the connection without an answer"
        case .timedOut(let timeout): "no answer within \(timeout)"
        }
    }
}

/// Where traces are posted: an `http` or `https` URL, parsed without Foundation.
public struct OTLPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https`: TLS, verified against the system's roots.
    public var secure: Bool
    /// A name or an address (IPv6 without brackets).
    public var host: String
    /// The port, 80 or 443 when the URL has none.
    public var port: Int
    /// The request path, `/v1/traces` under a base endpoint.
    public var path: String

    /// Reads `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as it is: `signalSpecific`) or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base, to which `/v1/traces` is added); `nil` for a
    /// value that is not an `http://` or `https://` URL with a host.
    public init?(_ url: String, signalSpecific: Bool) {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        rest = rest.dropFirst(authority.count)
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority)
        var port = secure ? 443 : 80
        if authority.hasPrefix("[") {
            // An IPv6 literal: [::1]:4318.
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65_535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(value) else { return nil }
            port = value
        }
        guard !host.isEmpty else { return nil }
        var path = String(rest.prefix { $0 != "#" })
        if !signalSpecific {
            if path.hasSuffix("/") { path.removeLast() }
            path += "/v1/traces"
        } else if path.isEmpty {
            path = "/"
        }
        self.secure = secure
        self.host = String(host)
        self.port = port
        self.path = path
    }

    /// Whether the host is a name (TLS then sends it as SNI), not an address literal.
    var hostIsName: Bool {
        !host.contains(":") && !host.allSatisfy { $0.isNumber || $0 == "." }
    }

    var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return port == (secure ? 443 : 80) ? host : "\(host):\(port)"
    }

    /// The URL, for the start-up log line.
    public var description: String { "\(secure ? "https" : "http")://\(hostHeader)\(path)" }
}
