import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TestSupport
import Testing

@testable import MessageCentral

@Suite("Provider connection pool through an HTTP proxy, over real sockets", .timeLimit(.minutes(1)))
struct ProxyConnectionPoolTests {
    @Test("https through the proxy: one CONNECT to the origin, TLS verified against the origin, the tunnel reused")
    func tunnel() async throws {
        try await withServerAndProxy(tls: true) { server, proxy in
            let pool = try makePool("https://localhost:\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            #expect(pool.route == .tunnel(through: ProviderProxy(host: "127.0.0.1", port: proxy.port)))
            for _ in 0..<3 {
                let response = try await get(pool, "/ok?key=1")
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"ok":true}"#)
            }
            #expect(proxy.connects == ["localhost:\(server.port)"], "exactly one CONNECT, to the origin's host and port")
            #expect(proxy.forwarded.isEmpty)
            #expect(proxy.authorizations == [nil])
            #expect(server.accepted == 1)
            #expect(server.requests == 3)
            await pool.shutdown()
        }
    }

    @Test("https through the proxy: a certificate that does not name the host, or an unknown issuer, still fails")
    func tunnelVerifiesCertificate() async throws {
        try await withServerAndProxy(tls: true) { server, proxy in
            // Trusted issuer, but the certificate names localhost, not the address.
            let byAddress = try makePool("https://127.0.0.1:\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            await #expect {
                try await get(byAddress, "/ok")
            } throws: { error in
                guard case .connectionFailed(let kind) = error as? TransportError else { return false }
                return kind.contains("SSL")
            }
            await byAddress.shutdown()
            #expect(proxy.connects == ["127.0.0.1:\(server.port)"], "the handshake failed inside the tunnel")

            // The system's roots: the self-signed certificate is refused through the tunnel too.
            let strict = try ConnectionPool(
                baseURL: "https://localhost:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
                maximumConnections: 2, connectTimeout: .seconds(2), maximumBodyBytes: 4096,
                proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            await #expect {
                try await get(strict, "/ok")
            } throws: { error in
                guard case .connectionFailed(let kind) = error as? TransportError else { return false }
                return kind.contains("CERTIFICATE_VERIFY_FAILED")
            }
            await strict.shutdown()
            #expect(proxy.connects.count == 2)
            #expect(server.requests == 0, "no request went out over an unverified connection")
        }
    }

    @Test("http through the proxy: absolute-form requests, kept alive")
    func forward() async throws {
        try await withServerAndProxy(tls: false) { server, proxy in
            let pool = try makePool("http://127.0.0.1:\(server.port)/base", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            #expect(try await get(pool, "/ok?x=1").status == 200)
            #expect(try await post(pool, "/ok").status == 200)
            #expect(proxy.forwarded == ["http://127.0.0.1:\(server.port)/base/ok?x=1", "http://127.0.0.1:\(server.port)/base/ok"])
            #expect(proxy.connects.isEmpty)
            #expect(proxy.accepted == 1, "one keep-alive connection to the proxy")
            #expect(server.requests == 2)
            await pool.shutdown()
        }
    }

    @Test("NO_PROXY naming the origin's host sends connections around the proxy", arguments: [
        (false, "127.0.0.1"), (false, "127.0.0.0/8"), (true, ".localhost"), (true, "example.com, localhost:PORT"), (true, "*"),
    ])
    func noProxy(tls: Bool, list: String) async throws {
        try await withServerAndProxy(tls: tls) { server, proxy in
            let host = tls ? "localhost" : "127.0.0.1"
            let noProxy = NoProxyList(list.replacingPort(with: server.port))
            let pool = try makePool(
                "\(tls ? "https" : "http")://\(host):\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port, noProxy: noProxy))
            #expect(pool.route == .direct)
            #expect(try await get(pool, "/ok").status == 200)
            #expect(server.requests == 1)
            #expect(proxy.accepted == 0, "the proxy saw nothing")
            await pool.shutdown()
        }
    }

    @Test("NO_PROXY for another host or port leaves the proxy in the way")
    func noProxyOtherHost() async throws {
        try await withServerAndProxy(tls: false) { server, proxy in
            let noProxy = NoProxyList("localhost, 127.0.0.1:1, 10.0.0.0/8")
            let pool = try makePool("http://127.0.0.1:\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port, noProxy: noProxy))
            #expect(try await get(pool, "/ok").status == 200)
            #expect(proxy.forwarded.count == 1)
            await pool.shutdown()
        }
    }

    @Test("proxy credentials go on CONNECT as Basic, percent-decoded from the URL")
    func tunnelCredentials() async throws {
        try await withServerAndProxy(tls: true, .serve(authorization: "Basic dXNlcjpwQHNz")) { server, proxy in
            let pool = try makePool("https://localhost:\(server.port)", proxy: ProviderProxy(url: "http://user:p%40ss@127.0.0.1:\(proxy.port)"))
            #expect(try await get(pool, "/ok").status == 200)
            #expect(try await get(pool, "/ok").status == 200)
            #expect(proxy.authorizations == ["Basic dXNlcjpwQHNz"], "once, on the one CONNECT")
            await pool.shutdown()
        }
    }

    @Test("proxy credentials go on every absolute-form request")
    func forwardCredentials() async throws {
        try await withServerAndProxy(tls: false, .serve(authorization: "Basic dXNlcjpwQHNz")) { server, proxy in
            let pool = try makePool("http://127.0.0.1:\(server.port)", proxy: ProviderProxy(url: "user:p%40ss@127.0.0.1:\(proxy.port)"))
            #expect(try await get(pool, "/ok").status == 200)
            #expect(try await get(pool, "/ok").status == 200)
            #expect(proxy.authorizations == ["Basic dXNlcjpwQHNz", "Basic dXNlcjpwQHNz"])
            #expect(server.requests == 2)
            await pool.shutdown()
        }
    }

    @Test("a 407 is proxyRefused, saying whether credentials were sent, and never showing them", arguments: [true, false])
    func proxyWantsCredentials(tls: Bool) async throws {
        try await withServerAndProxy(tls: tls, .serve(authorization: "Basic dXNlcjpwQHNz")) { server, proxy in
            let scheme = tls ? "https://localhost" : "http://127.0.0.1"
            let without = try makePool("\(scheme):\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            await #expect(throws: TransportError.proxyRefused(status: 407, credentialsSent: false)) { try await get(without, "/ok") }
            #expect(TransportError.proxyRefused(status: 407, credentialsSent: false).message.contains("wants credentials"))
            await without.shutdown()

            let wrong = try makePool("\(scheme):\(server.port)", proxy: ProviderProxy(url: "http://user:hunter2@127.0.0.1:\(proxy.port)"))
            await #expect {
                try await get(wrong, "/ok")
            } throws: { error in
                guard let error = error as? TransportError, error == .proxyRefused(status: 407, credentialsSent: true) else { return false }
                return error.message.contains("refused the credentials") && !error.message.contains("hunter2") && error.isTransient
            }
            await wrong.shutdown()
            #expect(server.requests == 0)
        }
    }

    @Test("a CONNECT answered with another status fails the connect with that status")
    func refused() async throws {
        try await withServerAndProxy(tls: true, .refuse(status: 403)) { server, proxy in
            let pool = try makePool("https://localhost:\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            await #expect(throws: TransportError.proxyRefused(status: 403, credentialsSent: false)) { try await get(pool, "/ok") }
            #expect(TransportError.proxyRefused(status: 403, credentialsSent: false).message.contains("403"))
            await pool.shutdown()
        }
    }

    @Test("the connect timeout covers a proxy that never answers CONNECT")
    func silentProxy() async throws {
        try await withServerAndProxy(tls: true, .silent) { server, proxy in
            let pool = try ConnectionPool(
                baseURL: "https://localhost:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
                maximumConnections: 2, connectTimeout: .milliseconds(300), maximumBodyBytes: 4096, tlsConfiguration: trusting(),
                proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            let started = ContinuousClock.now
            await #expect(throws: TransportError.timedOut) { try await get(pool, "/ok", within: .seconds(20)) }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(250) && waited < .seconds(5), "waited \(waited)")
            #expect(proxy.connects.isEmpty && proxy.authorizations.count == 1, "the CONNECT arrived and got no answer")
            #expect(pool.connectionCount == 0)
            await pool.shutdown()
        }
    }

    @Test("a caller cancelled while the proxy holds its CONNECT returns at once")
    func cancelledDuringConnect() async throws {
        try await withServerAndProxy(tls: true, .silent) { server, proxy in
            let pool = try makePool("https://localhost:\(server.port)", proxy: ProviderProxy(host: "127.0.0.1", port: proxy.port))
            let call = Task { try await get(pool, "/ok", within: .seconds(30)) }
            try await eventually { proxy.authorizations.count == 1 }
            let started = ContinuousClock.now
            call.cancel()
            await #expect(throws: TransportError.cancelled) { try await call.value }
            #expect(ContinuousClock.now - started < .seconds(5))
            await pool.shutdown()
        }
    }

    @Test("the client's configuration carries the proxy to its pool")
    func clientConfiguration() async throws {
        let proxy = try ProviderProxy(url: "http://user:pw@proxy.internal:3128")
        let configuration = MessageCentralConfiguration(customerID: "C-1", password: Secret("p"), proxy: proxy)
        let client = try MessageCentralClient(configuration: configuration, logger: Logger(label: "test"))
        #expect(client.core.pool.route == .tunnel(through: proxy))
        await client.shutdown()
        let bypassing = MessageCentralConfiguration(
            customerID: "C-1", password: Secret("p"), proxy: ProviderProxy(host: "proxy.internal", port: 3128, noProxy: NoProxyList(".messagecentral.com")))
        let direct = try MessageCentralClient(configuration: bypassing, logger: Logger(label: "test"))
        #expect(direct.core.pool.route == .direct)
        await direct.shutdown()
    }
}

// MARK: - Helpers

private func withServerAndProxy(
    tls: Bool, _ behaviour: TestProxy.Behaviour = .serve(authorization: nil), _ body: (TestHTTPServer, TestProxy) async throws -> Void
) async throws {
    let server = try await TestHTTPServer.start(tls: tls)
    let proxy = try await TestProxy.start(behaviour)
    do {
        try await body(server, proxy)
    } catch {
        await proxy.stop()
        await server.stop()
        throw error
    }
    await proxy.stop()
    await server.stop()
}

/// Trusts the test certificate only, as the direct TLS test does.
private func trusting() throws -> TLSConfiguration {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem)])
    return configuration
}

private func makePool(_ baseURL: String, proxy: ProviderProxy) throws -> ConnectionPool {
    try ConnectionPool(
        baseURL: baseURL, group: MultiThreadedEventLoopGroup.singleton, maximumConnections: 4, connectTimeout: .seconds(2),
        maximumBodyBytes: 64 * 1024, tlsConfiguration: trusting(), proxy: proxy)
}

@discardableResult
private func get(_ pool: ConnectionPool, _ path: String, within timeout: Duration = .seconds(20)) async throws -> HTTPAnswer {
    try await pool.execute(method: .GET, target: path, headers: HTTPHeaders(), deadline: .now + timeout)
}

private func post(_ pool: ConnectionPool, _ path: String) async throws -> HTTPAnswer {
    try await pool.execute(method: .POST, target: path, headers: HTTPHeaders(), deadline: .now + .seconds(20))
}

extension String {
    /// The test's `PORT` placeholder replaced by the server's port.
    fileprivate func replacingPort(with port: Int) -> String {
        split(separator: "PORT", omittingEmptySubsequences: false).joined(separator: String(port))
    }
}
