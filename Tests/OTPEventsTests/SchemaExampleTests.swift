import Foundation
import KafkaCore
import OTPEvents
import Testing

/// The schemas and the decoder give one verdict on one corpus, so they cannot drift apart.
@Suite("Schema examples agree with the decoder", .timeLimit(.minutes(1)))
struct SchemaExampleTests {
    static let inputKinds: [String: OTPInputKind] = ["otp.requested": .requested, "otp.submitted": .submitted]
    static let outputEvents: Set<String> = ["otp.sent", "otp.verified", "otp.failed"]

    /// The schema's verdict in the decoder's terms: a root `type` failure is `notObject`.
    static func schemaVerdict(_ bytes: [UInt8], event: String) throws -> Set<SchemaViolation> {
        switch TestJSON.document(bytes) {
        case .unreadable(let rule):
            return [SchemaViolation(field: nil, rule: rule)]
        case .json(let value):
            let found = try RepositoryFiles.schema(for: event).violations(of: value)
            return Set(found.map { $0.field == nil && $0.rule == "type" ? SchemaViolation(field: nil, rule: "notObject") : $0 })
        }
    }

    static func decoderVerdict(_ bytes: [UInt8], kind: OTPInputKind) -> EventDecodingError? {
        do throws(EventDecodingError) {
            _ = try EventDecoder().decode(value: bytes, headers: [], kind: kind)
            return nil
        } catch {
            return error
        }
    }

    @Test("every valid example passes its schema and, for inputs, the decoder")
    func validExamples() throws {
        let files = try RepositoryFiles.examples(in: RepositoryFiles.validExamples)
        #expect(files.count >= 10)
        for file in files {
            let event = RepositoryFiles.event(ofValidExample: file)
            let bytes = try RepositoryFiles.bytes(file)
            let verdict = try Self.schemaVerdict(bytes, event: event)
            #expect(verdict.isEmpty, "schema rejects valid/\(file.lastPathComponent): \(verdict)")
            if let kind = Self.inputKinds[event] {
                let error = Self.decoderVerdict(bytes, kind: kind)
                #expect(error == nil, "decoder rejects valid/\(file.lastPathComponent): \(error?.message ?? "")")
            }
        }
    }

    @Test("every invalid example fails its schema and, for inputs, the decoder at the expected field and rule")
    func invalidExamples() throws {
        let index = try JSONDecoder().decode(
            [String: ExpectedRejection].self,
            from: Data(contentsOf: RepositoryFiles.invalidExamples.appendingPathComponent("index.json"))
        )
        let files = try RepositoryFiles.examples(in: RepositoryFiles.invalidExamples)
        #expect(Set(files.map(\.lastPathComponent)) == Set(index.keys), "index.json and the folder list different files")
        #expect(files.count >= 20)
        for file in files {
            let name = file.lastPathComponent
            let expected = try #require(index[name])
            let bytes = try RepositoryFiles.bytes(file)
            let want = SchemaViolation(field: expected.field, rule: expected.rule)
            let verdict = try Self.schemaVerdict(bytes, event: expected.event)
            if let kind = Self.inputKinds[expected.event] {
                #expect(DecodingRule(rawValue: expected.rule) != nil, "invalid/\(name): \(expected.rule) is not a DecodingRule")
                #expect(verdict.contains(want), "schema on invalid/\(name): wanted \(want), got \(verdict)")
                let error = Self.decoderVerdict(bytes, kind: kind)
                #expect(error.map { SchemaViolation(field: $0.field, rule: $0.rule) } == want, "decoder on invalid/\(name): \(error?.message ?? "accepted")")
            } else {
                // No decoder reads outputs, so the schema alone must name exactly this one fault.
                #expect(Self.outputEvents.contains(expected.event), "invalid/\(name): \(expected.event) is not an event")
                #expect(verdict == [want], "schema on invalid/\(name): wanted only \(want), got \(verdict)")
            }
        }
    }

    @Test("the schema's reasons are OTPFailed.knownReasons")
    func failedReasons() throws {
        let schema = try JSONDecoder().decode(TestJSON.self, from: Data(contentsOf: RepositoryFiles.schemas.appendingPathComponent("otp.failed.schema.json")))
        let reasons = schema.object?["properties"]?.object?["reason"]?.object?["enum"]
        #expect(reasons == .array(OTPFailed.knownReasons.map(TestJSON.string)))
    }

    @Test(
        "the fraud guard's valid examples are what the encoder writes",
        arguments: [("otp.failed.rate-limited.json", OutputFixtures.rateLimited), ("otp.failed.send-blocked.json", OutputFixtures.sendBlocked)]
    )
    func guardExamplesMatchEncoder(file: String, failed: OTPFailed) throws {
        let example = try RepositoryFiles.bytes(RepositoryFiles.validExamples.appendingPathComponent(file))
        let decoded = try JSONDecoder().decode(TestJSON.self, from: Data(example))
        let encoded = try JSONDecoder().decode(TestJSON.self, from: Data(OTPOutput.failed(failed).encoded()))
        #expect(decoded == encoded)
    }

    @Test("encoded outputs satisfy the output schemas", arguments: OutputFixtures.all)
    func outputsMatchSchemas(output: OTPOutput) throws {
        let verdict = try Self.schemaVerdict(output.encoded(), event: output.eventType)
        #expect(verdict.isEmpty, "\(output.eventType): \(verdict)")
    }

    @Test("otp.sent's resumed must be a boolean")
    func resumedIsBoolean() throws {
        let text = String(decoding: OTPOutput.sent(OutputFixtures.sentResumed).encoded(), as: UTF8.self)
            .replacingOccurrences(of: #""resumed":true"#, with: #""resumed":"true""#)
        #expect(try Self.schemaVerdict(Array(text.utf8), event: "otp.sent") == [SchemaViolation(field: "resumed", rule: "type")])
    }

    @Test("the validator refuses keywords it does not implement")
    func unknownKeywordsFailLoudly() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("otp-events-\(UUID()).schema.json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"type": "object", "properties": {"a": {"type": "string", "multipleOf": 2}}}"#.utf8).write(to: url)
        let validator = try SchemaValidator(contentsOf: url)
        #expect(throws: UnsupportedSchemaFeature.self) { try validator.violations(of: .object(["a": .string("x")])) }
        #expect(throws: UnsupportedSchemaFeature.self) { try DigitPattern("^[0-9]+$") }
    }
}
