import Foundation
import Testing

/// The documentation stands in the repository: every relative link in README.md,
/// CONTRIBUTING.md and docs/ reaches a file or folder of this checkout, no file points at a
/// folder beside the checkout that a clone does not have, and the README stays short.
@Suite struct DocumentationLinkTests {
    /// Files and folders, relative to the root, whose text files must not point outside it.
    static let scannedPaths = [
        "README.md", "CONTRIBUTING.md", "docs", "schemas", "Sources", "Tests", "scripts",
        "Makefile", "Dockerfile", "docker-compose.yml",
    ]

    /// README.md, CONTRIBUTING.md and every Markdown file under docs/, relative to the root.
    static func markdownFiles() -> [String] {
        var files = ["README.md", "CONTRIBUTING.md"]
        let docs = DeploymentFiles.root.appendingPathComponent("docs")
        if let enumerator = FileManager.default.enumerator(atPath: docs.path) {
            while let relative = enumerator.nextObject() as? String {
                if relative.hasSuffix(".md") { files.append("docs/" + relative) }
            }
        }
        return files
    }

    /// The targets of the Markdown links `[text](target)` in `text`, outside fenced code blocks
    /// and code spans (Swift code has brackets and parentheses that are not links).
    static func linkTargets(in text: String) -> [String] {
        let link = #/\[[^\]]*\]\(([^)\s]*)\)/#
        var targets: [String] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard !inFence else { continue }
            for match in withoutCodeSpans(line).matches(of: link) {
                targets.append(String(match.output.1))
            }
        }
        return targets
    }

    /// `line` without the text between backticks.
    static func withoutCodeSpans(_ line: Substring) -> String {
        var result = ""
        var inSpan = false
        for character in line {
            if character == "`" {
                inSpan.toggle()
            } else if !inSpan {
                result.append(character)
            }
        }
        return result
    }

    /// A web or mail address, or an anchor in the same page: nothing to find on disk.
    static func isExternalOrAnchor(_ target: String) -> Bool {
        let lowered = target.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("mailto:")
            || target.hasPrefix("#")
    }

    /// `path` (absolute) with `.` and `..` resolved and no trailing slash.
    static func normalized(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The repository root's path, normalized.
    static func rootPath() -> String {
        normalized(DeploymentFiles.root.path)
    }

    @Test func theLinkParserFindsLinksOutsideCode() {
        let text = """
            See [the contract](docs/events.md#processing-rules) and [`Locked`](Sources/Primitives/).
            `[not](a-link.md)` and [a site](https://example.com).
            ```swift
            let x = [1](y)
            ```
            """
        #expect(Self.linkTargets(in: text) == ["docs/events.md#processing-rules", "Sources/Primitives/", "https://example.com"])
        #expect(Self.isExternalOrAnchor("https://example.com"))
        #expect(Self.isExternalOrAnchor("#anchor"))
        #expect(!Self.isExternalOrAnchor("docs/events.md#anchor"))
        #expect(Self.normalized("/repo/docs/../schemas/./README.md") == "/repo/schemas/README.md")
        #expect(Self.normalized("/repo/schemas/") == "/repo/schemas")
    }

    @Test func everyRelativeLinkResolvesInsideTheRepository() throws {
        let rootPath = Self.rootPath()
        let files = Self.markdownFiles()
        #expect(files.contains("docs/events.md"))
        #expect(files.contains("docs/kafka-layer.md"))
        var checked = 0
        for file in files {
            let url = DeploymentFiles.root.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            let folder = url.deletingLastPathComponent()
            for target in Self.linkTargets(in: text) where !Self.isExternalOrAnchor(target) {
                let path = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                let decoded = path.removingPercentEncoding ?? path
                guard !decoded.isEmpty, !decoded.hasPrefix("/") else {
                    Issue.record("\(file): link target '\(target)' is not a relative path")
                    continue
                }
                let resolved = Self.normalized(folder.path + "/" + decoded)
                let inside = resolved == rootPath || resolved.hasPrefix(rootPath + "/")
                #expect(inside, "\(file): '\(target)' leads outside the repository")
                #expect(FileManager.default.fileExists(atPath: resolved), "\(file): '\(target)' does not exist")
                checked += 1
            }
        }
        #expect(checked > 0, "no relative links found")
    }

    @Test func nothingPointsOutsideTheRepository() {
        // Built from pieces, so that this file does not contain what it looks for.
        let forbidden = [".." + "/shared", "shared" + "/spec"]
        let manager = FileManager.default
        var scanned = 0
        for entry in Self.scannedPaths {
            let url = DeploymentFiles.root.appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                Issue.record("\(entry) is missing")
                continue
            }
            var files: [String] = []
            if isDirectory.boolValue {
                if let enumerator = manager.enumerator(atPath: url.path) {
                    while let relative = enumerator.nextObject() as? String {
                        // Hidden files and folders are not part of the sources.
                        guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
                        files.append(entry + "/" + relative)
                    }
                }
            } else {
                files.append(entry)
            }
            for file in files {
                // Folders and files that are not UTF-8 text have nothing to check.
                guard let text = try? String(contentsOf: DeploymentFiles.root.appendingPathComponent(file), encoding: .utf8) else {
                    continue
                }
                scanned += 1
                for needle in forbidden where text.contains(needle) {
                    Issue.record("\(file) mentions '\(needle)', which a clone of this repository does not have")
                }
            }
        }
        #expect(scanned > 0, "no files scanned")
    }

    @Test func theReadmeStaysShort() throws {
        let lines = try DeploymentFiles.text("README.md").utf8.filter { $0 == UInt8(ascii: "\n") }.count
        #expect(lines <= 260, "README.md has \(lines) lines: move detail into docs/")
    }
}
