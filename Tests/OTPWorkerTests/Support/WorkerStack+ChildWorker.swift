import Foundation
import KafkaTestSupport
import MessageCentralSandbox

extension WorkerStack {
    /// An `otp-worker run` process in this stack's group, against its cluster and sandbox, with
    /// test-speed group settings (6 s session, 200 ms heartbeats, 10 ms fetch waits), JSON logs,
    /// a metrics port of its own and `name` as its instance id; `arguments` and `environment`
    /// come on top.
    func spawnWorker(_ name: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> ChildWorker {
        try ChildWorker(
            name: name,
            arguments: [
                "--brokers", cluster.bootstrapServers, "--group-id", group,
                "--provider-url", sandbox.baseURL, "--customer-id", sandboxConfiguration.customerID,
                "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--instance-id", name,
                "--shutdown-deadline", "10s", "--provider-deadline", "10s",
                "--kafka-option", "session.timeout.ms=6000", "--kafka-option", "heartbeat.interval.ms=200",
                "--kafka-option", "fetch.wait.max.ms=10", "--log-format", "json",
            ] + topics.runArguments + arguments,
            environment: ["MESSAGE_CENTRAL_PASSWORD": sandboxConfiguration.password, "PATH": "/usr/bin:/bin"]
                .merging(environment) { $1 })
    }
}
