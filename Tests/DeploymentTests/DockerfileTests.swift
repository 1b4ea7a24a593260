import Foundation
import Testing

/// The Dockerfile builds in one stage and runs unprivileged in a slim one.
@Suite struct DockerfileTests {
    /// Instructions with continuation lines joined and comments dropped.
    static func instructions() throws -> [String] {
        let text = try DeploymentFiles.text("Dockerfile").replacingOccurrences(of: "\\\n", with: " ")
        return text.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The instructions of the last stage.
    static func finalStage() throws -> [String] {
        let all = try instructions()
        let start = try #require(all.lastIndex { $0.uppercased().hasPrefix("FROM ") })
        return Array(all[start...])
    }

    @Test func buildsInASwiftStageAndRunsInAnother() throws {
        let froms = try Self.instructions().filter { $0.uppercased().hasPrefix("FROM ") }
        #expect(froms.count >= 2)
        #expect(froms.first?.contains("swift:") == true)
        #expect(try Self.finalStage().first?.contains("swift:") == false)
    }

    @Test func theBuildStageInstallsLibrdkafkaAndJemallocAndBuildsTheProduct() throws {
        let all = try Self.instructions()
        #expect(all.contains {
            $0.contains("apt-get install") && $0.contains("librdkafka-dev") && $0.contains("libjemalloc-dev") && $0.contains("pkg-config")
        })
        #expect(all.contains { $0.contains("swift build -c release --product otp-worker") && $0.contains("--static-swift-stdlib") })
    }

    @Test func theRuntimeStageHasLibrdkafkaAndJemallocAndRunsUnprivileged() throws {
        let stage = try Self.finalStage()
        #expect(stage.contains { $0.contains("apt-get install") && $0.contains("librdkafka1") && $0.contains("libjemalloc2") })
        let user = try #require(stage.last { $0.uppercased().hasPrefix("USER ") }, "the final stage runs as root")
        let name = user.dropFirst(5).split(separator: ":").first.map(String.init) ?? ""
        #expect(!["root", "0", ""].contains(name))
        #expect(stage.contains(#"ENTRYPOINT ["otp-worker"]"#))
        #expect(stage.contains(#"CMD ["run"]"#))
    }

    @Test func buildFoldersStayOutOfTheContext() throws {
        let ignored = try DeploymentFiles.text(".dockerignore").split(separator: "\n").map(String.init)
        #expect(ignored.contains(".build*") || ignored.contains(".build"))
        #expect(ignored.contains(".git"))
    }
}
