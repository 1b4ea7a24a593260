import Foundation
import Yams

/// The repository's deployment files, read from the checkout this test was compiled from.
enum DeploymentFiles {
    /// The repository root: `Tests/DeploymentTests/` is two levels below it.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    /// `docker-compose.yml`'s services, by name.
    static func composeServices() throws -> [String: [String: Any]] {
        let document = try Yams.load(yaml: try text("docker-compose.yml")) as? [String: Any]
        let services = document?["services"] as? [String: Any] ?? [:]
        return services.compactMapValues { $0 as? [String: Any] }
    }

    /// A service's environment as a dictionary, whether written as a map or as `KEY=value` lines.
    static func environment(_ service: [String: Any]) -> [String: String] {
        if let map = service["environment"] as? [String: Any] {
            return map.mapValues { "\($0)" }
        }
        let lines = service["environment"] as? [String] ?? []
        return Dictionary(
            lines.map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            },
            uniquingKeysWith: { $1 }
        )
    }

    /// A service's command as one string, whether written as a list or a string.
    static func command(_ service: [String: Any]) -> String {
        if let list = service["command"] as? [Any] { return list.map { "\($0)" }.joined(separator: " ") }
        return service["command"].map { "\($0)" } ?? ""
    }

    /// The host side of a short-syntax port mapping (`[IP:]HOST:CONTAINER`), `nil` when there is none.
    static func hostPort(_ mapping: String) -> String? {
        let parts = mapping.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 2 ? String(parts[parts.count - 2]) : nil
    }
}
