import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import OTPEvents
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// The fraud guard across a group of worker processes, on the embedded cluster with the
/// sandbox: pumping under one prefix, one number from every partition, the lists, monitor
/// mode, and a restart that must keep the group's view.
// Serialized: each test runs three worker processes.
@Suite("End to end: the fraud guard in a group of three worker processes", .serialized, .timeLimit(.minutes(4)))
struct FraudGuardTests {
    /// OTP validity in the sandbox: short, so that unverified codes expire within the test.
    static let otpTimeout = 3
    /// The guard's wait for a verification still on its way before a code counts as
    /// unverified (``GuardBook``'s default).
    static let grace = 2.0
    /// The documented bound on how long a send takes to reach every worker's view
    /// (docs/fraud-guard.md, "One view for the group"): provider call, publish, fetch.
    static let propagation = 1.0

    static var sandbox: SandboxConfiguration {
        // The sandbox's own per-number limit well above the guard's: what is refused here is
        // refused by the guard.
        SandboxConfiguration(port: 0, password: stackPassword, otpTimeout: .seconds(otpTimeout), sendLimit: 1_000)
    }

    func spawn(_ name: String, _ stack: WorkerStack, _ guardArguments: [String]) throws -> ChildWorker {
        try stack.spawnWorker(name, arguments: guardArguments)
    }

    /// Three workers, each ready (it owns partitions and its view has loaded).
    func group(_ stack: WorkerStack, _ guardArguments: [String], names: [String] = ["a", "b", "c"]) async throws -> [ChildWorker] {
        let workers = try names.map { try spawn($0, stack, guardArguments) }
        try await eventually(timeout: .seconds(60), "every worker's view loaded and the group formed") {
            for worker in workers { try worker.requireRunning() }
            return workers.allSatisfy { $0.logText.contains("view of the group's sends loaded") }
                && workers.allSatisfy { $0.logText.contains("partitions assigned") }
        }
        return workers
    }

    func request(_ id: String, country: String = "44", number: String) -> String {
        #"{"requestId":"\#(id)","countryCode":"\#(country)","mobileNumber":"\#(number)"}"#
    }

    func reason(_ stack: WorkerStack, _ id: String) -> String? {
        stack.outputs.matching("requestId", id).first { $0.topic == stack.topics.failed }?.string("reason")
    }

    @Test("pumping: a prefix whose codes expire unverified is blocked after its sample; legitimate requests are sent and verified")
    func pumping() async throws {
        try await withWorkerStack(partitions: 6, sandbox: Self.sandbox) { stack in
            let workers = try await group(stack, [])
            let rate = 50.0
            let pumped = (0..<600).map { (id: "pump-\($0)", number: "770090\(String(format: "%04d", $0))") }
            let legitimate = (0..<200).map { (id: "legit-\($0)", number: "78\(10_000_000 + $0 * 4_999)") }
            for entry in pumped + legitimate { stack.logs.noteSecret(entry.number) }
            let started = ContinuousClock.now
            // Verifies every legitimate code as it arrives, as its user would. Each output is
            // looked at once: parsing every output on every pass would hog the test process's
            // threads, which the other suites running beside this one share.
            let tally = OutcomeTally()
            let verifier = Task {
                while !tally.verified.isSuperset(of: legitimate.map(\.id)) {
                    try Task.checkCancellation()
                    tally.update(stack)
                    for (id, verification) in tally.takeSent(prefix: "legit-") {
                        guard let code = stack.sandbox.lastCode(verificationId: verification) else { continue }
                        try await stack.publish(stack.topics.submitted, key: id, json:
                            #"{"verificationId":"\#(verification)","code":"\#(code)","requestId":"\#(id)"}"#)
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            defer { verifier.cancel() }
            // 50 pumped requests a second, a legitimate one between every third.
            var legitimateQueue = legitimate[...]
            var publishedAt: [Date] = []
            for (index, entry) in pumped.enumerated() {
                try await stack.publish(stack.topics.requested, key: entry.id, json: request(entry.id, number: entry.number))
                publishedAt.append(Date())
                if index % 3 == 0, let next = legitimateQueue.popFirst() {
                    try await stack.publish(stack.topics.requested, key: next.id, json: request(next.id, number: next.number))
                }
                let due = started + .milliseconds(Int(Double(index + 1) * 1000 / rate))
                if due > .now { try await Task.sleep(until: due) }
            }
            for next in legitimateQueue {
                try await stack.publish(stack.topics.requested, key: next.id, json: request(next.id, number: next.number))
            }
            try await eventually(timeout: .seconds(90), "every request has an outcome, every legitimate one is verified") {
                for worker in workers { try worker.requireRunning() }
                tally.update(stack)
                return tally.decided.count == pumped.count + legitimate.count && tally.verified.count == legitimate.count
            }
            // One pass over the outputs, each parsed once.
            var outcomes: [String: (topic: String, json: [String: Any])] = [:]
            for output in stack.outputs.all where output.topic == stack.topics.sent || output.topic == stack.topics.failed {
                let json = output.json
                if let id = json["requestId"] as? String, outcomes[id] == nil { outcomes[id] = (output.topic, json) }
            }
            for entry in legitimate {
                #expect(outcomes[entry.id]?.topic == stack.topics.sent, "\(entry.id) sent")
            }
            let pumpedSent = pumped.filter { outcomes[$0.id]?.topic == stack.topics.sent }
            let pumpedBlocked = pumped.filter { outcomes[$0.id]?.json["reason"] as? String == "SEND_BLOCKED" }
            #expect(pumpedSent.count + pumpedBlocked.count == pumped.count, "a pumped request is sent or SEND_BLOCKED, nothing else")
            // Once the sample's last send is made, its code must expire (timeout + grace) and the
            // other workers' views must have it (propagation): no pumped send is made after that.
            // Until then requests keep arriving: the provider sees at most what the workers read
            // before the cutoff. (Counted from the sends' own times, not from when this test
            // published: on a loaded machine the workers read behind the publisher.)
            let pumpedSentAt = pumpedSent.compactMap { (outcomes[$0.id]?.json["sentAt"] as? String).flatMap(RFC3339.parse) }.sorted()
            let sampleSentAt = try #require(pumpedSentAt.dropFirst(29).first)
            let cutoff = sampleSentAt.addingTimeInterval(Double(Self.otpTimeout) + Self.grace + Self.propagation)
            let late = pumpedSentAt.filter { $0 > cutoff }
            #expect(late.isEmpty, "\(late.count) pumped sends made after the cutoff, the last \(late.last.map { $0.timeIntervalSince(cutoff) } ?? 0) s after it")
            #expect(pumpedSent.count >= 30, "the minimum sample is sent before judging")
            #expect(stack.sandbox.stats.sends == legitimate.count + pumpedSent.count, "the provider saw the sends published, no others")
            let publishedBeforeSample = publishedAt.filter { $0 <= sampleSentAt }.count
            let lastSent = pumpedSentAt.last.map { $0.timeIntervalSince(sampleSentAt) } ?? 0
            let blockedMessage = try #require(outcomes[pumpedBlocked.last?.id ?? ""]?.json["message"] as? String)
            #expect(blockedMessage.contains("44:770090") && blockedMessage.contains("--guard-min-conversion"))
            let logs = workers.map(\.logText).joined()
            #expect(logs.contains("prefix 44:770090 blocked"), "a worker logs the prefix becoming blocked")
            #expect(!logs.contains("7700900"), "no whole pumped number in the logs")
            print("pumping: \(pumpedSent.count) of \(pumped.count) pumped sends reached the provider, \(pumpedBlocked.count) SEND_BLOCKED; "
                + "the last \(String(format: "%.2f", lastSent)) s after the sample's last send (cutoff \(Double(Self.otpTimeout) + Self.grace + Self.propagation) s); "
                + "\(publishedBeforeSample) published before the sample's last send, then \(Int(rate)) a second")
            for worker in workers { worker.terminate() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(15)) }
        }
    }

    @Test("one number from every partition, a few a second: the provider sees the limit plus at most one; the rest are RATE_LIMITED with the right wait")
    func oneNumber() async throws {
        try await withWorkerStack(partitions: 6, sandbox: SandboxConfiguration(port: 0, password: stackPassword, sendLimit: 1_000)) { stack in
            let workers = try await group(stack, [])
            let number = freshMobileNumber()
            stack.logs.noteSecret(number)
            let before = stack.sandbox.stats.sends
            for index in 0..<20 {
                let id = "one-number-\(index)-\(UUID().uuidString.prefix(8))"
                try await stack.publish(stack.topics.requested, key: id, json: request(id, country: "91", number: number))
                try await Task.sleep(for: .milliseconds(300))
            }
            try await eventually(timeout: .seconds(60), "20 outcomes") {
                stack.outputs.all.filter { ($0.string("requestId") ?? "").hasPrefix("one-number-") }.count >= 20
            }
            let outcomes = stack.outputs.all.filter { ($0.string("requestId") ?? "").hasPrefix("one-number-") }
            let sent = outcomes.filter { $0.topic == stack.topics.sent }
            let limited = outcomes.filter { $0.topic == stack.topics.failed && $0.string("reason") == "RATE_LIMITED" }
            #expect(sent.count + limited.count == 20, "sent or RATE_LIMITED, nothing else")
            #expect((5...6).contains(sent.count), "the per-number limit (5) plus at most one: \(sent.count)")
            #expect(stack.sandbox.stats.sends - before <= 6, "the provider saw \(stack.sandbox.stats.sends - before) sends")
            // The fifth most recent send leaves the 10-minute window first.
            let sentAt = sent.compactMap { $0.string("sentAt").flatMap(RFC3339.parse) }.sorted()
            let opening = sentAt[sentAt.count - 5].addingTimeInterval(600)
            for failure in limited {
                let failedAt = try #require(failure.string("failedAt").flatMap(RFC3339.parse))
                let retryAfter = try #require(failure.json["retryAfterSeconds"] as? Int)
                #expect(failure.json["retryable"] as? Bool == true)
                #expect(abs(Double(retryAfter) - opening.timeIntervalSince(failedAt)) <= 2,
                        "retryAfterSeconds \(retryAfter), the window opens in \(opening.timeIntervalSince(failedAt)) s")
            }
            // How long another worker's send took to reach each view, as the workers measured it.
            var delays = (sum: 0.0, count: 0, withinBound: 0)
            for worker in workers {
                guard let port = worker.metricsPort else { continue }
                let text = try await scrape(port)
                delays.sum += value(text, "otp_guard_view_delay_seconds_sum")
                delays.count += Int(value(text, "otp_guard_view_delay_seconds_count"))
                delays.withinBound += Int(value(text, #"otp_guard_view_delay_seconds_bucket{le="1.0"}"#))
            }
            #expect(delays.count >= 5, "the sends of other workers were seen live")
            #expect(delays.withinBound == delays.count, "every send reached the other views within the documented second")
            print("one number: \(sent.count) sent, \(limited.count) RATE_LIMITED, provider saw \(stack.sandbox.stats.sends - before); "
                + "view delay mean \(Int(delays.sum / Double(max(delays.count, 1)) * 1000)) ms over \(delays.count) sends, \(delays.withinBound) within 1 s")
            for worker in workers { worker.terminate() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(15)) }
        }
    }

    @Test("allow-list and deny-list refuse with SEND_BLOCKED; monitor mode refuses nothing and counts what it would have")
    func listsAndMonitor() async throws {
        try await withWorkerStack(partitions: 3, sandbox: SandboxConfiguration(port: 0, password: stackPassword, sendLimit: 1_000)) { stack in
            let lists = ["--guard-allow-countries", "44,91", "--guard-deny-prefixes", "44:70,91:140"]
            var workers = try await group(stack, lists)
            let cases = [("list-us", "1", "5550001234", "allow_countries"), ("list-deny", "44", "7012345678", "deny_prefixes"),
                         ("list-deny-91", "91", "1401234567", "deny_prefixes"), ("list-ok", "44", "7912345678", nil)]
            for (id, country, number, _) in cases {
                stack.logs.noteSecret(number)
                try await stack.publish(stack.topics.requested, key: id, json: request(id, country: country, number: number))
            }
            try await eventually(timeout: .seconds(30), "four outcomes") { cases.allSatisfy { !stack.outputs.matching("requestId", $0.0).isEmpty } }
            for (id, _, _, rule) in cases {
                let outcome = try #require(stack.outputs.matching("requestId", id).first)
                if let rule {
                    #expect(outcome.string("reason") == "SEND_BLOCKED" && outcome.json["retryable"] as? Bool == false, "\(id)")
                    #expect(outcome.json["providerCode"] is NSNull && outcome.string("stage") == "send")
                    #expect(outcome.string("message")?.contains(rule == "allow_countries" ? "--guard-allow-countries" : "--guard-deny-prefixes") == true)
                } else {
                    #expect(outcome.topic == stack.topics.sent, "\(id)")
                }
            }
            for worker in workers { worker.terminate() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(15)) }

            // Monitor mode, with the same lists and a number limit of 2: everything is sent.
            workers = try await group(stack, ["--guard", "monitor", "--guard-number-limit", "2/10m"] + lists, names: ["m1", "m2", "m3"])
            let number = freshMobileNumber()
            stack.logs.noteSecret(number)
            let monitored = (0..<4).map { "monitor-\($0)" } + ["monitor-us"]
            // One key: one worker judges the four sends to the number, so what it counts does not
            // depend on how soon the others' views see them (the one-number test covers that).
            for id in monitored {
                let json = id == "monitor-us" ? request(id, country: "1", number: "5550001234") : request(id, country: "91", number: number)
                try await stack.publish(stack.topics.requested, key: "monitor", json: json)
            }
            try await eventually(timeout: .seconds(30), "five outcomes") { monitored.allSatisfy { !stack.outputs.matching("requestId", $0).isEmpty } }
            for id in monitored {
                #expect(stack.outputs.matching("requestId", id).first?.topic == stack.topics.sent, "monitor mode sends \(id)")
            }
            var scraped = ""
            try await eventually(timeout: .seconds(10), "the would-be refusals counted") {
                scraped = ""
                for worker in workers {
                    guard let port = worker.metricsPort else { return false }
                    scraped += try await scrape(port)
                }
                return count(scraped, #"otp_guard_decisions_total{rule="number_limit",action="would_rate_limit"}"#) == 2
                    && count(scraped, #"otp_guard_decisions_total{rule="allow_countries",action="would_block"}"#) == 1
            }
            #expect(workers.map(\.logText).joined().contains("would refuse this send; sent anyway"))
            for worker in workers { worker.terminate() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(15)) }
        }
    }

    @Test("a restarted group keeps its view: it is rebuilt from Kafka, not lost")
    func restart() async throws {
        try await withWorkerStack(partitions: 3, sandbox: SandboxConfiguration(port: 0, password: stackPassword, sendLimit: 1_000)) { stack in
            let limit = ["--guard-number-limit", "2/10m"]
            var workers = try await group(stack, limit)
            let number = freshMobileNumber()
            stack.logs.noteSecret(number)
            for id in ["restart-1", "restart-2"] {
                try await stack.publish(stack.topics.requested, key: id, json: request(id, country: "91", number: number))
                try await eventually("\(id) sent") { stack.outputs.matching("requestId", id).contains { $0.topic == stack.topics.sent } }
            }
            for worker in workers { worker.kill() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(5)) }
            workers = try await group(stack, limit, names: ["r1", "r2", "r3"])
            try await stack.publish(stack.topics.requested, key: "restart-3", json: request("restart-3", country: "91", number: number))
            try await eventually(timeout: .seconds(30), "restart-3 decided") { !stack.outputs.matching("requestId", "restart-3").isEmpty }
            #expect(reason(stack, "restart-3") == "RATE_LIMITED", "the two sends before the restart still count")
            for worker in workers { worker.terminate() }
            for worker in workers { _ = await worker.waitForExit(timeout: .seconds(15)) }
        }
    }
}

/// The value of one series in Prometheus text, summed over the texts given (0 when absent).
private func count(_ text: String, _ series: String) -> Int {
    Int(value(text, series))
}

private func value(_ text: String, _ series: String) -> Double {
    text.split(separator: "\n").filter { $0.hasPrefix(series + " ") }
        .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
}

private func scrape(_ port: Int) async throws -> String {
    try await get("http://127.0.0.1:\(port)/metrics").body
}

/// What the outputs say so far, read incrementally: each output is parsed once.
final class OutcomeTally: Sendable {
    private struct State {
        var read = 0
        var decided: Set<String> = []
        var verified: Set<String> = []
        /// `otp.sent` request and verification ids not yet taken.
        var sent: [(id: String, verification: String)] = []
    }

    private let state = Locked(State())

    /// Request ids with an `otp.sent` or an `otp.failed`.
    var decided: Set<String> { state.withLock { $0.decided } }
    /// Request ids with an `otp.verified`.
    var verified: Set<String> { state.withLock { $0.verified } }

    /// Reads the outputs that arrived since the last call.
    func update(_ stack: WorkerStack) {
        let all = stack.outputs.all
        let start = state.withLock { $0.read }
        guard start < all.count else { return }
        let fresh = all[start...].map { output in
            let json = output.json
            return (topic: output.topic, id: json["requestId"] as? String, verification: json["verificationId"] as? String)
        }
        state.withLock { state in
            guard state.read == start else { return }
            state.read = all.count
            for seen in fresh {
                guard let id = seen.id else { continue }
                if seen.topic == stack.topics.sent || seen.topic == stack.topics.failed { state.decided.insert(id) }
                if seen.topic == stack.topics.verified { state.verified.insert(id) }
                if seen.topic == stack.topics.sent, let verification = seen.verification { state.sent.append((id, verification)) }
            }
        }
    }

    /// The `otp.sent` seen since the last call whose request id starts with `prefix`.
    func takeSent(prefix: String) -> [(id: String, verification: String)] {
        state.withLock { state in
            defer { state.sent = [] }
            return state.sent.filter { $0.id.hasPrefix(prefix) }
        }
    }
}
