#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MessageCentral
import MessageCentralSandbox
import Testing

/// The client with a proxy configured, against the sandbox: `NO_PROXY` is honoured on the
/// client's path, and proxy credentials never reach a log line or an error.
@Suite("Provider proxy settings", .timeLimit(.minutes(1)))
struct ProxyContractTests {
    @Test("a proxy whose NO_PROXY covers the provider's host is bypassed: send and validate work")
    func bypassed() async throws {
        try await withClientAndSandbox(configure: { configuration in
            // Nothing listens on port 1: a request routed through this proxy would fail.
            configuration.proxy = ProviderProxy(host: "127.0.0.1", port: 1, noProxy: NoProxyList("example.com, 127.0.0.0/8"))
        }) { client, sandbox in
            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: freshMobileNumber()), deadline: nil)
            let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
            let verified = try await client.validate(ValidateRequest(verificationId: sent.verificationId, code: Secret(code)), deadline: nil)
            #expect(verified.verificationId == sent.verificationId)
        }
    }

    @Test("an unreachable proxy fails the call as unavailable, and its credentials appear nowhere")
    func credentialsNeverLogged() async throws {
        let capture = LogCapture()
        let proxy = try ProviderProxy(url: "http://svc-proxy-user:Pr0xy%2Bsecret@127.0.0.1:1")
        let error = try await withClientAndSandbox(logger: capture.logger(label: "client"), configure: { $0.proxy = proxy }) { client, _ in
            // Long enough for an attempt to fail and be logged on a loaded machine; refused
            // connections to port 1 fail at once, so it costs little otherwise.
            await expectProviderError { try await client.warmUp(deadline: ContinuousClock.now + .seconds(2)) }
        }
        let basic = Data("svc-proxy-user:Pr0xy+secret".utf8).base64EncodedString()
        let texts = capture.lines.map(\.description) + [error.map { "\($0)" } ?? "", "\(proxy)", String(reflecting: proxy)]
        #expect(capture.lines.contains { $0.level == .debug }, "the failed attempts were logged")
        #expect("\(proxy)" == "http://127.0.0.1:1")
        for text in texts {
            for secret in ["Pr0xy", "svc-proxy-user", basic] {
                #expect(!text.contains(secret), "proxy credentials leaked into: \(text)")
            }
        }
    }
}
