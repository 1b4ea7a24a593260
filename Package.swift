// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "otp-worker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "otp-worker", targets: ["otp-worker"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "KafkaEmbedded", targets: ["KafkaEmbedded"]),
        .library(name: "MessageCentral", targets: ["MessageCentral"]),
        .library(name: "MessageCentralSandbox", targets: ["MessageCentralSandbox"]),
        .library(name: "OTPEvents", targets: ["OTPEvents"]),
        .library(name: "OTPWorker", targets: ["OTPWorker"]),
        .library(name: "WorkerTracing", targets: ["WorkerTracing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        // No default traits: `FullFoundation` would link Foundation and ICU into every process
        // (about 7 MB more resident memory), `ConfigurationSupport` swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.10.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        // Test-only: the deployment test parses docker-compose.yml.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    ],
    targets: [
        // The C layer: librdkafka as Debian ships it (2.0.2), with the mock cluster header.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // librdkafka driven directly from C: the baseline that kafka-bench compares against.
        .target(
            name: "CKafkaBaseline",
            linkerSettings: [.linkedLibrary("rdkafka")]
        ),
        // C11 threads routed through pthreads in ThreadSanitizer builds, so the sanitizer
        // sees librdkafka's threads and locks; empty otherwise.
        .target(name: "CRdKafkaThreads"),
        // Names dedicated threads (pthread_setname_np is not in Swift's Glibc module).
        .target(name: "CPrimitives"),
        // The leaf every module may import: a lock, dedicated threads, a random source, the
        // bound-port signal. Nothing heavy: no librdkafka, no NIO.
        .target(name: "Primitives", dependencies: ["CPrimitives"]),
        // The Kafka layer's plain value types (headers, topic-partitions), without librdkafka:
        // the events module builds headers with them and links no C library.
        .target(name: "KafkaCore"),
        // The one JSON parser and writer of the production code (events, provider answers,
        // idempotency records); the sandbox keeps a writer of its own on purpose.
        .target(name: "JSON"),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                "CRdKafkaThreads",
                "KafkaCore",
                "Primitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "KafkaEmbedded",
            dependencies: [
                "CRdKafka",
                "Kafka",
                "Primitives",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MessageCentral",
            dependencies: [
                "JSON",
                "Primitives",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "MessageCentralSandbox",
            dependencies: [
                "Primitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The fraud guard's rules and counters: pure, no I/O, no clock; the worker feeds it.
        .target(name: "FraudGuard", dependencies: ["Primitives"]),
        // The event contract: payloads, validation, CloudEvents headers. No I/O.
        .target(
            name: "OTPEvents",
            dependencies: ["JSON", "KafkaCore", "Primitives"]
        ),
        // OpenTelemetry traces: spans, a batch processor and an OTLP/HTTP JSON exporter, without
        // Foundation. swift-otel 1.6.0 keeps its exporter protocol internal, and its own
        // exporters need SwiftProtobuf, which links Foundation and ICU (docs/benchmarks.md).
        .target(
            name: "WorkerTracing",
            dependencies: [
                "JSON",
                "Primitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The pipeline and its policies, plus the observability endpoints.
        .target(
            name: "OTPWorker",
            dependencies: [
                "FraudGuard",
                "JSON",
                "Primitives",
                "Kafka",
                "MessageCentral",
                "OTPEvents",
                "WorkerTracing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The worker's allocator: jemalloc, linked into the executable and configured there.
        .target(
            name: "CAllocator",
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "otp-worker",
            dependencies: [
                "CAllocator",
                "FraudGuard",
                "JSON",
                "Primitives",
                "Kafka",
                "KafkaEmbedded",
                "MessageCentral",
                "MessageCentralSandbox",
                "OTPEvents",
                "OTPWorker",
                "WorkerTracing",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "kafka-bench",
            dependencies: ["Kafka", "KafkaEmbedded", "CKafkaBaseline"]
        ),
        // The provider's answers through JSONDecoder against the JSON module: `make bench-json`.
        .executableTarget(
            name: "json-bench",
            dependencies: ["MessageCentral"]
        ),
        .executableTarget(
            name: "provider-bench",
            dependencies: [
                "MessageCentral",
                "MessageCentralSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The worker end to end (as a child process) against the embedded cluster and the
        // sandbox, next to Kafka and provider baselines: `make bench-otp`.
        .executableTarget(
            name: "otp-bench",
            dependencies: [
                "Kafka",
                "Primitives",
                "KafkaEmbedded",
                "MessageCentral",
                "MessageCentralSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the test targets share: bounded waits on conditions, time limits, names.
        .target(
            name: "TestSupport",
            dependencies: ["JSON", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support"
        ),
        // The cluster the Kafka integration suites run against: the embedded cluster, or a
        // real one named by OTP_TEST_KAFKA_BROKERS (`make test-external`).
        .target(
            name: "KafkaTestSupport",
            dependencies: [
                "Kafka",
                "KafkaEmbedded",
                "Primitives",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KafkaSupport"
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                "Kafka",
                "Primitives",
                "TestSupport",
                "KafkaEmbedded",
                "KafkaTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "PrimitivesTests",
            dependencies: ["Primitives", "TestSupport"]
        ),
        .testTarget(
            name: "FraudGuardTests",
            dependencies: ["FraudGuard"]
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "MessageCentralTests",
            dependencies: [
                "JSON",
                "MessageCentral",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "MessageCentralSandboxTests",
            dependencies: [
                "MessageCentralSandbox",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ProviderContractTests",
            dependencies: [
                "MessageCentral",
                "MessageCentralSandbox",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "OTPEventsTests",
            dependencies: ["JSON", "OTPEvents", "KafkaCore"]
        ),
        .testTarget(
            name: "OTPWorkerTests",
            dependencies: [
                "FraudGuard",
                "JSON",
                "OTPWorker",
                "Primitives",
                "TestSupport",
                "OTPEvents",
                "Kafka",
                "KafkaEmbedded",
                "KafkaTestSupport",
                "MessageCentral",
                "MessageCentralSandbox",
                "WorkerTracing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "WorkerTracingTests",
            dependencies: [
                "JSON",
                "WorkerTracing",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
    ]
)

// Settings every target shares: Swift 6 strict concurrency is the language mode;
// `any` must be spelled out so existential costs stay visible.
for target in package.targets where target.type != .system {
    guard !["CAllocator", "CKafkaBaseline", "CPrimitives", "CRdKafkaThreads"].contains(target.name) else { continue }
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
