import Foundation
import Kafka
import KafkaTestSupport
import MessageCentralSandbox
import Primitives
import TestSupport
import Testing

@testable import OTPWorker

/// How fast a dead worker's partitions move, with the group settings `otp-worker run` has by
/// default (a 10 s session timeout, a 3 s heartbeat), and static membership.
@Suite("Failover between worker processes", .serialized, .timeLimit(.minutes(3)))
struct FailoverTests {
    func spawn(_ name: String, _ stack: WorkerStack, instanceID: String? = nil) throws -> ChildWorker {
        try ChildWorker(
            name: name,
            arguments: [
                "--brokers", stack.cluster.bootstrapServers, "--group-id", stack.group,
                "--provider-url", stack.sandbox.baseURL, "--customer-id", stack.sandboxConfiguration.customerID,
                "--max-in-flight", "32", "--metrics-port", "0", "--metrics-host", "127.0.0.1",
                "--kafka-option", "fetch.wait.max.ms=10", "--log-format", "json",
                // Thousands of codes to one prefix that nobody types in: what the fraud guard
                // blocks once they expire. This suite is about hand-over, not the guard.
                "--guard", "off",
            ] + stack.topics.runArguments + (instanceID.map { ["--instance-id", $0] } ?? []),
            environment: ["MESSAGE_CENTRAL_PASSWORD": stack.sandboxConfiguration.password, "PATH": "/usr/bin:/bin"])
    }

    /// The outcomes of requests seen so far: a send the killed worker had in flight may be
    /// refused as a repeat by the provider, which is an outcome too.
    static func outcomes(_ stack: WorkerStack) -> [OutputCollector.Output] {
        stack.outputs.on(stack.topics.sent) + stack.outputs.on(stack.topics.failed)
    }

    /// The `ce_source` of the outcomes seen so far.
    static func sources(_ stack: WorkerStack) -> Set<String> {
        Set(stack.outputs.on(stack.topics.sent).compactMap { $0.header("ce_source") })
    }

    @Test("one of two workers killed under 20 requests a second: every request gets its outcome, the longest wait well under a minute")
    func killedWorkerPartitionsMove() async throws {
        try await withWorkerStack(partitions: 6) { stack in
            let workers = try [spawn("fo-a", stack), spawn("fo-b", stack)]
            let published = Published()
            let traffic = Task {
                for index in 0..<900 {
                    let id = "fo-\(index)"
                    published.record(id)
                    try await stack.publish(stack.topics.requested, key: id,
                                            json: #"{"requestId":"\#(id)","countryCode":"91","mobileNumber":"\#(8_000_000_000 + index)"}"#)
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            try await eventually(timeout: .seconds(60), "both workers answering") {
                for worker in workers { try worker.requireRunning() }
                return Self.sources(stack).count == 2
            }
            // Requests published from here on meet the failover, not the group's first forming
            // (one worker holds every partition until the second joins).
            let stableAt = Date()
            workers[0].kill()
            #expect(await workers[0].waitForExit(timeout: .seconds(5)) == SIGKILL)
            try await traffic.value
            try await eventually(timeout: .seconds(90), "an outcome for every request") {
                try workers[1].requireRunning()
                return Set(Self.outcomes(stack).compactMap { $0.string("requestId") }).count == published.count
            }
            var longest = Duration.zero
            for output in Self.outcomes(stack) {
                guard let id = output.string("requestId"), let at = output.string("sentAt") ?? output.string("failedAt"),
                    let sent = ISO8601DateFormatter.withFractions.date(from: at), let start = published.time(of: id),
                    start >= stableAt
                else { continue }
                longest = max(longest, .milliseconds(Int64(sent.timeIntervalSince(start) * 1000)))
            }
            print("failover: the longest wait for an outcome after killing one of two workers was \(longest)")
            #expect(longest < .seconds(30), "the longest wait was \(longest)")
            workers[1].terminate()
            _ = await workers[1].waitForExit(timeout: .seconds(20))
        }
    }

    /// librdkafka 2.0.2's mock brokers do not keep a static member's assignment across a
    /// restart (they rebalance as for a new member), so the embedded cluster cannot show that
    /// no partition moves; this checks that the settings reach librdkafka as given.
    @Test("the group settings reach librdkafka: 10 s session, 3 s heartbeat, and --instance-id as group.instance.id")
    func groupSettingsReachLibrdkafka() async throws {
        try await withWorkerStack(partitions: 3) { stack in
            let dynamic = try spawn("gs-dynamic", stack)
            let member = try spawn("gs-static", stack, instanceID: "gs-static-0")
            for (worker, instance) in [(dynamic, "none (dynamic membership)"), (member, "gs-static-0")] {
                try await eventually(timeout: .seconds(30), "\(worker.name) started") {
                    try worker.requireRunning()
                    return worker.logText.contains(#""message":"worker started""#)
                }
                let started = worker.logText.split(separator: "\n").first { $0.contains(#""message":"worker started""#) } ?? ""
                #expect(started.contains(#""session.timeout.ms":"10000""#), "\(started)")
                #expect(started.contains(#""heartbeat.interval.ms":"3000""#), "\(started)")
                #expect(started.contains(#""group.instance.id":"\#(instance)""#), "\(started)")
                worker.terminate()
                #expect(await worker.waitForExit(timeout: .seconds(20)) == 0)
            }
        }
    }
}

/// When each request was published.
private final class Published: Sendable {
    private let times = Locked<[String: Date]>([:])

    func record(_ id: String) { times.withLock { $0[id] = Date() } }
    func time(of id: String) -> Date? { times.withLock { $0[id] } }
    var count: Int { times.withLock { $0.count } }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with milliseconds, as the outcomes' timestamps are written.
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
