#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Kafka
import Metrics

/// What this binary is: its version, its git revision and the librdkafka it runs with,
/// printed by `otp-worker --version` and exported as the gauge `otp_build_info` = 1.
public enum BuildInfo {
    /// The release version; the one place it is written. A release changes it here.
    public static let version = "0.12.0"

    /// The git revision this binary was built from, or `unknown`.
    ///
    /// SwiftPM cannot run a command at build time to embed it, so a release passes it in the
    /// environment instead: the Dockerfile takes `--build-arg OTP_REVISION=$(git rev-parse
    /// --short HEAD)` and sets `OTP_REVISION` in the image. A binary run without it says
    /// `unknown`.
    public static let revision: String = {
        let value = ProcessInfo.processInfo.environment["OTP_REVISION"] ?? ""
        return value.isEmpty ? "unknown" : value
    }()

    /// One line for `--version`, e.g. `0.12.0 (revision 1a2b3c4, librdkafka 2.0.2)`.
    public static var versionLine: String {
        "\(version) (revision \(revision), librdkafka \(Kafka.librdkafkaVersion))"
    }

    /// Sets `otp_build_info{version,revision,librdkafka}` to 1, so dashboards can join on it
    /// and tell which build each worker runs.
    public static func record(factory: any MetricsFactory = MetricsSystem.factory) {
        Gauge(
            label: WorkerMetrics.buildInfo,
            dimensions: [("version", version), ("revision", revision), ("librdkafka", Kafka.librdkafkaVersion)],
            factory: factory
        ).record(1)
    }
}
