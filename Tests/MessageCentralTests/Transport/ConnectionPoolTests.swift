import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TestSupport
import Testing

@testable import MessageCentral

@Suite("Provider connection pool, over real sockets", .timeLimit(.minutes(1)))
struct ConnectionPoolTests {
    @Test("sequential requests reuse one keep-alive connection")
    func reuse() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            for _ in 0..<5 {
                let response = try await get(pool, "/ok")
                #expect(response.status == 200)
                #expect(String(buffer: response.body) == #"{"ok":true}"#)
            }
            #expect(server.accepted == 1)
            #expect(server.requests == 5)
            await pool.shutdown()
        }
    }

    @Test("concurrent requests never hold more connections than the limit, and all are answered")
    func bounded() async throws {
        try await withServer { server in
            let pool = try makePool(server, maximumConnections: 2)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await get(pool, "/slow").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(server.mostOpen == 2, "6 concurrent calls, at most 2 connections")
            #expect(server.accepted == 2)
            await pool.shutdown()
        }
    }

    @Test("a caller waiting for a free connection gives up at its deadline")
    func waiterDeadline() async throws {
        try await withServer { server in
            let pool = try makePool(server, maximumConnections: 1)
            let hanging = Task { try await get(pool, "/hang", within: .seconds(30)) }
            try await eventually { server.requests == 1 }
            let started = ContinuousClock.now
            await #expect(throws: TransportError.timedOut) { try await get(pool, "/ok", within: .milliseconds(300)) }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(250) && waited < .seconds(5), "waited \(waited)")
            #expect(server.requests == 1, "the waiter never reached the server")
            hanging.cancel()
            await #expect(throws: TransportError.cancelled) { try await hanging.value }
            await pool.shutdown()
        }
    }

    @Test("connections idle past the idle timeout are closed, not reused")
    func idleTimeout() async throws {
        try await withServer { server in
            let pool = try makePool(server, idleTimeout: .milliseconds(200))
            async let first = get(pool, "/slow")
            async let second = get(pool, "/slow")
            #expect(try await [first.status, second.status] == [200, 200])
            #expect(server.accepted == 2)
            // The condition here is the connections' age itself.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await get(pool, "/ok").status == 200)
            #expect(server.accepted == 3, "neither aged connection was reused")
            try await eventually { server.open == 1 }
            #expect(pool.connectionCount == 1)
            await pool.shutdown()
        }
    }

    @Test("a connection left idle at the bottom of the stack is closed when its age passes, while the top one is reused")
    func idleSweep() async throws {
        try await withServer { server in
            let pool = try makePool(server, idleTimeout: .seconds(2))
            async let first = get(pool, "/slow")
            async let second = get(pool, "/slow")
            #expect(try await [first.status, second.status] == [200, 200])
            // Ages are the condition: after 1.3 s both are idle under the timeout; the top one is
            // used, so after 1.3 s more it is 1.3 s idle and the bottom one 2.6 s.
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await get(pool, "/ok").status == 200)
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await get(pool, "/ok").status == 200)
            #expect(server.accepted == 2, "the top connection was reused both times")
            try await eventually { server.open == 1 }
            #expect(pool.connectionCount == 1)
            await pool.shutdown()
        }
    }

    @Test("an answer with connection: close is not reused; the next request opens a new connection")
    func connectionClose() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            #expect(try await get(pool, "/close").status == 200)
            #expect(try await get(pool, "/ok").status == 200)
            #expect(server.accepted == 2)
            await pool.shutdown()
        }
    }

    @Test("a connection the server closed while idle is replaced, and the request is answered")
    func idleClosedByServer() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            #expect(try await get(pool, "/idle-close").status == 200)
            // Waits for the client to see the close: a request written in between would meet a
            // closed connection after it was sent, which the pool must not resend (see below).
            try await eventually { pool.connectionCount == 0 }
            #expect(try await get(pool, "/ok").status == 200)
            #expect(server.accepted == 2)
            #expect(server.requests == 2)
            await pool.shutdown()
        }
    }

    @Test("a server that closes without answering is closedBeforeAnswer, and the request is not sent again")
    func resetBeforeAnswer() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            await #expect(throws: TransportError.closedBeforeAnswer) { try await get(pool, "/reset") }
            #expect(server.requests == 1, "a request the server may have acted on is the caller's to retry")
            #expect(try await get(pool, "/ok").status == 200)
            await pool.shutdown()
        }
    }

    @Test("an answer larger than the limit fails and its connection is closed")
    func tooLarge() async throws {
        try await withServer { server in
            let pool = try makePool(server, maximumBodyBytes: 4096)
            await #expect(throws: TransportError.answerTooLarge(limit: 4096)) { try await get(pool, "/big") }
            try await eventually { server.open == 0 }
            #expect(try await get(pool, "/ok").status == 200)
            await pool.shutdown()
        }
    }

    @Test("an answer that does not come in time fails at the deadline and closes its connection")
    func answerDeadline() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            // A warm connection, so the hanging request is written at once: a request whose
            // deadline passes before it is written leaves its (healthy) connection in the pool.
            #expect(try await get(pool, "/ok").status == 200)
            let started = ContinuousClock.now
            await #expect(throws: TransportError.timedOut) { try await get(pool, "/hang", within: .seconds(1)) }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(950) && waited < .seconds(6), "waited \(waited)")
            #expect(server.requests == 2)
            try await eventually { server.open == 0 }
            await pool.shutdown()
        }
    }

    @Test("a cancelled caller returns at once and its connection is closed")
    func cancellation() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            let call = Task { try await get(pool, "/hang", within: .seconds(30)) }
            try await eventually { server.requests == 1 }
            let started = ContinuousClock.now
            call.cancel()
            await #expect(throws: TransportError.cancelled) { try await call.value }
            #expect(ContinuousClock.now - started < .seconds(5))
            try await eventually { server.open == 0 }
            await pool.shutdown()
        }
    }

    @Test("shutdown closes every connection, fails calls in flight, and refuses later ones")
    func shutdown() async throws {
        try await withServer { server in
            let pool = try makePool(server)
            #expect(try await get(pool, "/ok").status == 200)
            let call = Task { try await get(pool, "/hang", within: .seconds(30)) }
            try await eventually { server.requests == 2 }
            await pool.shutdown()
            await #expect(throws: TransportError.self) { try await call.value }
            await #expect(throws: TransportError.shutDown) { try await get(pool, "/ok") }
            try await eventually { server.open == 0 }
            #expect(TransportError.shutDown.isTransient == false)
        }
    }

    @Test("nothing listening is a transient connect failure")
    func refused() async throws {
        // Port 1 on loopback: privileged, and nothing listens there on a test machine.
        let pool = try ConnectionPool(
            baseURL: "http://127.0.0.1:1", group: MultiThreadedEventLoopGroup.singleton,
            maximumConnections: 2, connectTimeout: .seconds(2), maximumBodyBytes: 4096)
        await #expect {
            try await get(pool, "/ok")
        } throws: { error in
            guard case .connectFailed = error as? TransportError else { return false }
            return (error as? TransportError)?.isTransient == true
        }
        await pool.shutdown()
    }

    @Test("many short calls through one connection: none waits past a free connection")
    func noLostWakeUp() async throws {
        try await withServer { server in
            let pool = try makePool(server, maximumConnections: 1)
            // A caller that missed its wake-up would wait out its whole deadline and fail; the
            // deadline is long so that a loaded machine (sanitizers, a busy CI) cannot fail it.
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var count = 0
                        for _ in 0..<25 where try await get(pool, "/ok", within: .seconds(30)).status == 200 { count += 1 }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(answered == 200)
            #expect(server.accepted == 1)
            await pool.shutdown()
        }
    }

    @Test("https: a trusted certificate for the host name is answered; an unknown issuer or another name is refused")
    func tls() async throws {
        let server = try await TestHTTPServer.start(tls: true)
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem)])
        let pool = try ConnectionPool(
            baseURL: "https://localhost:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
            maximumConnections: 2, connectTimeout: .seconds(2), maximumBodyBytes: 4096, tlsConfiguration: trusting)
        let response = try await get(pool, "/ok")
        #expect(response.status == 200)
        #expect(String(buffer: response.body) == #"{"ok":true}"#)
        await pool.shutdown()

        // The system's roots do not know this self-signed certificate: full verification refuses
        // it, and the error says why.
        let strict = try ConnectionPool(
            baseURL: "https://localhost:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
            maximumConnections: 2, connectTimeout: .seconds(2), maximumBodyBytes: 4096)
        await #expect {
            try await get(strict, "/ok")
        } throws: { error in
            guard case .connectionFailed(let kind) = error as? TransportError else { return false }
            return kind.contains("CERTIFICATE_VERIFY_FAILED")
        }
        await strict.shutdown()

        // Trusted issuer, but the certificate names localhost only, not the address connected to.
        let byAddress = try ConnectionPool(
            baseURL: "https://127.0.0.1:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
            maximumConnections: 2, connectTimeout: .seconds(2), maximumBodyBytes: 4096, tlsConfiguration: trusting)
        await #expect {
            try await get(byAddress, "/ok")
        } throws: { error in
            guard case .connectionFailed(let kind) = error as? TransportError else { return false }
            return kind.contains("SSL")
        }
        await byAddress.shutdown()
        await server.stop()
    }
}

// MARK: - Helpers

private func withServer(_ body: (TestHTTPServer) async throws -> Void) async throws {
    let server = try await TestHTTPServer.start()
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

private func makePool(
    _ server: TestHTTPServer, maximumConnections: Int = 4, idleTimeout: Duration = .seconds(60), maximumBodyBytes: Int = 64 * 1024
) throws -> ConnectionPool {
    try ConnectionPool(
        baseURL: "http://127.0.0.1:\(server.port)", group: MultiThreadedEventLoopGroup.singleton,
        maximumConnections: maximumConnections, connectTimeout: .seconds(2), idleTimeout: idleTimeout,
        maximumBodyBytes: maximumBodyBytes)
}

@discardableResult
private func get(_ pool: ConnectionPool, _ path: String, within timeout: Duration = .seconds(20)) async throws -> HTTPAnswer {
    try await pool.execute(method: .GET, target: path, headers: HTTPHeaders(), deadline: .now + timeout)
}
