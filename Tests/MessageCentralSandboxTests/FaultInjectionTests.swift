import AsyncHTTPClient
import Foundation
import MessageCentralSandbox
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// Faults for the next N calls, then normal service again.
@Suite(.timeLimit(.minutes(1)))
struct FaultInjectionTests {
    @Test func serverErrorsForTheNextNCallsThenNormal() async throws {
        try await withRawSandbox { sandbox, http in
            let token = try await http.token()
            sandbox.inject(.internalServerError, count: 2, endpoint: .send)
            for call in 1...2 {
                let failed = try await http.send(token: token)
                #expect(failed.status == 500, "call \(call)")
                #expect(failed.numericResponseCode == 500)
                #expect(failed.json?["message"] as? String == "SERVER_ERROR")
            }
            #expect(try await http.tokenResponse().json?["token"] is String, "other endpoints are untouched")
            #expect(try await http.send(token: token).numericResponseCode == 200)
        }
    }

    @Test func gatewayErrorsCarryHTMLNotJSON() async throws {
        try await withRawSandbox { _, http in
            try await http.post("/sandbox/faults?type=server-error&status=503&count=1&endpoint=token").expectOK()
            let failed = try await http.tokenResponse()
            #expect(failed.status == 503)
            #expect(failed.json == nil)
            #expect(failed.headers.first(name: "Content-Type") == "text/html")
            #expect(try await http.tokenResponse().status == 200)
        }
    }

    @Test func faultsAimedAtAllHitWhicheverEndpointIsNext() async throws {
        try await withRawSandbox { sandbox, http in
            sandbox.inject(.internalServerError, count: 1)
            #expect(try await http.tokenResponse().status == 500)
            let token = try await http.token()
            #expect(try await http.send(token: token).status == 200)
        }
    }

    @Test func injectedLatencyDelaysThenAnswers() async throws {
        try await withRawSandbox { sandbox, http in
            sandbox.inject(.latency(.milliseconds(300)), count: 1, endpoint: .token)
            let start = ContinuousClock.now
            let response = try await http.tokenResponse()
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(response.json?["token"] is String)
        }
    }

    @Test func standingLatencyAppliesToEveryCallUntilCleared() async throws {
        try await withRawSandbox { sandbox, http in
            try await http.post("/sandbox/latency?delay=50ms").expectOK()
            for _ in 1...3 {
                let start = ContinuousClock.now
                _ = try await http.tokenResponse()
                #expect(ContinuousClock.now - start >= .milliseconds(50))
            }
            #expect(try await http.request(.DELETE, "/sandbox/latency").status == 200)
            sandbox.setLatency(.milliseconds(80))
            let start = ContinuousClock.now
            _ = try await http.tokenResponse()
            #expect(ContinuousClock.now - start >= .milliseconds(80))
        }
    }

    @Test func hangEndsWhenTheClientGivesUp() async throws {
        try await withRawSandbox { sandbox, http in
            sandbox.inject(.hang, count: 1, endpoint: .token)
            // A plain socket, whose abortive close (RST) the test controls fully. The request
            // must be this test's own: on a shared 127.0.0.1, a client left from another test
            // once took the injected hang (withRawSandbox now gives every sandbox its own address).
            let socket = try LoopbackSocket(host: sandbox.host, port: sandbox.port)
            try socket.send("GET /auth/v1/authentication/token?customerId=C-SANDBOX&key=c2FuZGJveA%3D%3D HTTP/1.1\r\nHost: \(sandbox.host)\r\n\r\n")
            try await eventually(timeout: .seconds(10), "one hung request") { sandbox.hungRequests == 1 }
            socket.abort()
            try await eventually(timeout: .seconds(20), "no hung request") { sandbox.hungRequests == 0 }
            #expect(try await http.tokenResponse().json?["token"] is String)
            #expect(sandbox.stats.tokenFetches == 2)
        }
    }

    @Test func hangIsReleasedWhenTheSandboxStops() async throws {
        enum Outcome: Sendable { case answered, timedOut, closed }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let outcome = try await withThrowingTaskGroup(of: Outcome.self) { tasks in
            try await withSandbox(.init(host: SandboxConfiguration.isolatedLoopbackHost(), port: 0)) { sandbox in
                sandbox.inject(.hang, count: 1)
                let http = RawHTTP(baseURL: sandbox.baseURL, client: client)
                tasks.addTask {
                    do {
                        _ = try await http.get("/auth/v1/authentication/token?customerId=C-SANDBOX&key=c2FuZGJveA%3D%3D", timeout: .seconds(50))
                        return .answered
                    } catch let error as HTTPClientError where error == .deadlineExceeded {
                        return .timedOut
                    } catch {
                        return .closed
                    }
                }
                try await eventually(timeout: .seconds(10), "one hung request") { sandbox.hungRequests == 1 }
            }
            // withSandbox has returned, so shutdown did not wait for the client to give up.
            return try await tasks.next()
        }
        try await client.shutdown()
        #expect(outcome == .closed, "the hung request ends without an answer when the sandbox stops")
    }

    @Test func droppedConnectionIsAClientSideError() async throws {
        try await withRawSandbox { sandbox, http in
            try await http.post("/sandbox/faults?type=drop&endpoint=validate&count=1").expectOK()
            let token = try await http.token()
            await #expect(throws: HTTPClientError.self) {
                _ = try await http.validate(token: token, verificationID: "1", code: "1234")
            }
            #expect(try await http.validate(token: token, verificationID: "1", code: "1234").numericResponseCode == 505)
            #expect(sandbox.stats.validations == 2)
        }
    }

    @Test func answerLostCarriesTheSendOutAndDropsTheAnswer() async throws {
        try await withRawSandbox { sandbox, http in
            try await http.post("/sandbox/faults?type=answer-lost&endpoint=send&count=1").expectOK()
            let token = try await http.token()
            await #expect(throws: HTTPClientError.self) {
                _ = try await http.send(token: token, mobileNumber: "9000000777")
            }
            #expect(sandbox.lastCode(mobileNumber: "9000000777") != nil, "the send was carried out")
            // The provider holds the pending code: the same number again is 506.
            #expect(try await http.send(token: token, mobileNumber: "9000000777").numericResponseCode == 506)
            #expect(sandbox.stats.sends == 2)
        }
    }

    @Test func badFaultRequestsAreRefused() async throws {
        try await withRawSandbox { _, http in
            for query in ["type=teapot", "type=server-error&status=404", "type=latency", "type=hang&count=0", "type=drop&endpoint=sms", "type=answer-lost&count=0"] {
                let response = try await http.post("/sandbox/faults?" + query)
                #expect(response.status == 400, "\(query)")
            }
        }
    }
}
