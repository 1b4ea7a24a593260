import Foundation
import Testing

/// `docker-compose.yml` says what docs/deployment.md promises: KRaft Kafka, six topics,
/// the sandbox, and a worker that scales.
@Suite struct ComposeFileTests {
    static let topics = ["otp.requested", "otp.submitted", "otp.sent", "otp.verified", "otp.failed", "otp.dlq", "otp.idempotency"]

    @Test func theServicesExist() throws {
        let services = try DeploymentFiles.composeServices()
        for name in ["kafka", "kafka-init", "sandbox", "otp-worker"] {
            #expect(services[name] != nil, "missing service \(name)")
        }
    }

    @Test func kafkaIsApacheKafkaInKRaftMode() throws {
        let services = try DeploymentFiles.composeServices()
        let kafka = try #require(services["kafka"])
        let image = try #require(kafka["image"] as? String)
        #expect(image.hasPrefix("apache/kafka:"))
        let environment = DeploymentFiles.environment(kafka)
        let roles = Set((environment["KAFKA_PROCESS_ROLES"] ?? "").split(separator: ",").map(String.init))
        #expect(roles == ["broker", "controller"])
        #expect(environment["KAFKA_NODE_ID"] != nil)
        let voters = try #require(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"])
        #expect(voters.hasPrefix("\(environment["KAFKA_NODE_ID"] ?? "?")@"))
        #expect(environment["KAFKA_CONTROLLER_LISTENER_NAMES"] != nil)
        #expect(environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1")
        #expect(!environment.keys.contains { $0.contains("ZOOKEEPER") })
        #expect(services.keys.allSatisfy { !$0.contains("zookeeper") })
        #expect(kafka["healthcheck"] != nil)
    }

    @Test func kafkaHasAnInternalAndAHostListener() throws {
        let kafka = try #require(try DeploymentFiles.composeServices()["kafka"])
        let advertised = DeploymentFiles.environment(kafka)["KAFKA_ADVERTISED_LISTENERS"] ?? ""
        #expect(advertised.contains("//kafka:9092"))
        #expect(advertised.contains("//localhost:29092"))
        let ports = (kafka["ports"] as? [Any] ?? []).map { "\($0)" }
        #expect(ports.contains { DeploymentFiles.hostPort($0) == "29092" })
    }

    @Test func kafkaInitCreatesEveryTopicWithPartitions() throws {
        let services = try DeploymentFiles.composeServices()
        let initService = try #require(services["kafka-init"])
        #expect((initService["image"] as? String)?.hasPrefix("apache/kafka:") == true)
        let script = DeploymentFiles.command(initService)
        let createLines = script.split(separator: "\n").filter { $0.contains("kafka-topics.sh") }
        for topic in Self.topics {
            let line = createLines.first { $0.contains("--topic \(topic) ") || $0.hasSuffix("--topic \(topic)") }
            let found = try #require(line, "no kafka-topics.sh line creates \(topic)")
            #expect(found.contains("--create"))
            #expect(found.contains("--if-not-exists"))
            let partitions = found.firstMatch(of: /--partitions (\d+)/).flatMap { Int($0.1) }
            #expect((partitions ?? 0) >= 1, "\(topic) has no partition count")
            if topic == "otp.idempotency" {
                #expect(found.contains("cleanup.policy=compact"), "the idempotency memory is a compacted topic")
                let inputs = createLines.first { $0.contains("--topic otp.requested ") }?.firstMatch(of: /--partitions (\d+)/).flatMap { Int($0.1) }
                #expect(partitions == inputs, "co-partitioned with the inputs")
            }
            if topic == "otp.dlq" {
                // A DLQ record is an input the brokers accepted plus six headers: it needs room.
                let limit = found.firstMatch(of: /max\.message\.bytes=(\d+)/).flatMap { Int($0.1) }
                #expect((limit ?? 0) > 1_048_588, "otp.dlq must accept records larger than the inputs' limit")
            }
        }
        let dependsOn = initService["depends_on"] as? [String: Any]
        #expect((dependsOn?["kafka"] as? [String: Any])?["condition"] as? String == "service_healthy")
    }

    @Test func theSandboxListensOnAllInterfaces() throws {
        let sandbox = try #require(try DeploymentFiles.composeServices()["sandbox"])
        #expect(sandbox["build"] != nil)
        let command = DeploymentFiles.command(sandbox)
        #expect(command.hasPrefix("sandbox "))
        #expect(command.contains("--host 0.0.0.0"))
        #expect(command.contains("--allow-non-loopback"))
        #expect(command.contains("--port 8089"))
    }

    @Test func theWorkerScales() throws {
        let worker = try #require(try DeploymentFiles.composeServices()["otp-worker"])
        #expect(worker["build"] != nil)
        #expect(worker["container_name"] == nil)
        for mapping in (worker["ports"] as? [Any] ?? []).map({ "\($0)" }) {
            let host = DeploymentFiles.hostPort(mapping) ?? ""
            #expect(host.isEmpty, "fixed host port \(mapping) breaks --scale")
        }
        #expect(DeploymentFiles.command(worker) == "run")
    }

    @Test func theWorkerDefaultsToTheSandbox() throws {
        let worker = try #require(try DeploymentFiles.composeServices()["otp-worker"])
        let environment = DeploymentFiles.environment(worker)
        #expect(environment["KAFKA_BROKERS"] == "kafka:9092")
        #expect(environment["MESSAGE_CENTRAL_BASE_URL"] == "${MESSAGE_CENTRAL_BASE_URL:-http://sandbox:8089}")
        #expect(environment["MESSAGE_CENTRAL_CUSTOMER_ID"] == "${MESSAGE_CENTRAL_CUSTOMER_ID:-C-SANDBOX}")
        #expect(environment["MESSAGE_CENTRAL_PASSWORD"] == "${MESSAGE_CENTRAL_PASSWORD:-sandbox}")
        #expect(environment["OTP_METRICS_PORT"] == "9464")
    }

    @Test func theWorkerStartsAfterTopicsAndSandbox() throws {
        let worker = try #require(try DeploymentFiles.composeServices()["otp-worker"])
        let dependsOn = try #require(worker["depends_on"] as? [String: Any])
        #expect((dependsOn["kafka-init"] as? [String: Any])?["condition"] as? String == "service_completed_successfully")
        #expect((dependsOn["sandbox"] as? [String: Any])?["condition"] as? String == "service_started")
    }

    @Test func hostPortParsing() {
        #expect(DeploymentFiles.hostPort("9464") == nil)
        #expect(DeploymentFiles.hostPort("127.0.0.1::9464") == "")
        #expect(DeploymentFiles.hostPort("8089:8089") == "8089")
        #expect(DeploymentFiles.hostPort("127.0.0.1:8089:8089") == "8089")
    }
}
