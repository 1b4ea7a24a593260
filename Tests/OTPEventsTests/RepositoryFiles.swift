import Foundation

/// Files of this repository, found from this source file's path so tests read the real
/// schemas and examples rather than copies.
enum RepositoryFiles {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // OTPEventsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let schemas = root.appendingPathComponent("schemas")
    static let validExamples = schemas.appendingPathComponent("examples/valid")
    static let invalidExamples = schemas.appendingPathComponent("examples/invalid")

    static func schema(for event: String) throws -> SchemaValidator {
        try SchemaValidator(contentsOf: schemas.appendingPathComponent("\(event).schema.json"))
    }

    /// The `.json` files of a folder, sorted, without `index.json`.
    static func examples(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent != "index.json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// `otp.requested.full.json` → `otp.requested`.
    static func event(ofValidExample url: URL) -> String {
        url.lastPathComponent.split(separator: ".").prefix(2).joined(separator: ".")
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }
}

/// An entry of `schemas/examples/invalid/index.json`.
struct ExpectedRejection: Decodable, Sendable {
    var event: String
    var field: String?
    var rule: String
}
