import AsyncHTTPClient
import Foundation
import MessageCentralSandbox
import Testing

/// Starting, binding and stopping.
@Suite(.timeLimit(.minutes(1)))
struct SandboxServerTests {
    @Test(arguments: ["0.0.0.0", "192.168.1.10", "::", "example.com"])
    func refusesNonLoopbackWithoutTheFlag(host: String) async throws {
        #expect(throws: SandboxError.nonLoopbackHost(host)) {
            _ = try SandboxServer(configuration: .init(host: host, port: 0))
        }
        await #expect(throws: SandboxError.nonLoopbackHost(host)) {
            try await withSandbox(.init(host: host, port: 0)) { _ in Issue.record("body must not run") }
        }
    }

    @Test func bindsAnyAddressWhenAllowed() async throws {
        try await withSandbox(.init(host: "0.0.0.0", port: 0, allowNonLoopback: true)) { sandbox in
            #expect(sandbox.port > 0)
            let http = RawHTTP(baseURL: "http://127.0.0.1:\(sandbox.port)", client: .shared)
            let response = try await http.tokenResponse()
            #expect(response.json?["token"] is String)
        }
    }

    @Test func loopbackHostsNeedNoFlag() async throws {
        try await withSandbox(.init(host: "localhost", port: 0)) { sandbox in
            #expect(sandbox.baseURL == "http://localhost:\(sandbox.port)")
        }
    }

    @Test func baseURLNamesThePickedPort() async throws {
        try await withSandbox { sandbox in
            #expect(sandbox.port > 0)
            #expect(sandbox.baseURL == "http://127.0.0.1:\(sandbox.port)")
        }
    }

    @Test func aTakenPortFailsInsteadOfRunningTheBody() async throws {
        try await withSandbox { first in
            await #expect(throws: (any Error).self) {
                try await withSandbox(.init(port: first.port)) { _ in Issue.record("body must not run") }
            }
        }
    }

    @Test func theBodysErrorIsRethrownAfterShutdown() async throws {
        struct Marker: Error {}
        await #expect(throws: Marker.self) {
            try await withSandbox { _ in throw Marker() }
        }
    }

    @Test func senselessConfigurationIsRefused() {
        #expect(throws: SandboxError.self) { _ = try SandboxServer(configuration: .init(port: 0, otpTimeout: .zero)) }
        #expect(throws: SandboxError.self) { _ = try SandboxServer(configuration: .init(port: 0, maxWrongAttempts: 0)) }
        #expect(throws: SandboxError.self) { _ = try SandboxServer(configuration: .init(port: 70000)) }
    }
}
