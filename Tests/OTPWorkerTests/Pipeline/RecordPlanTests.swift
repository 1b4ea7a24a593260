import Foundation
import Kafka
import Logging
import MessageCentral
import OTPEvents
import Testing

@testable import OTPWorker

/// Every kind of decision, from the input record to the plan that `handle` performs: the
/// records in their stages, the counts, the log line and this process's idempotency memory.
/// No Kafka, no HTTP: the in-memory provider and the plain planner.
@Suite("Record plans for every kind of decision", .timeLimit(.minutes(1)))
struct RecordPlanTests {
    let now = Date(timeIntervalSince1970: 1_795_720_000)

    func planner(_ fixture: ProcessorFixture) -> RecordPlanner {
        RecordPlanner(topics: fixture.configuration.topics, headers: CloudEventHeaders(source: "urn:otp-worker:unit"))
    }

    /// Decides `record` as an owned partition would, and plans what to perform.
    func decideAndPlan(_ record: KafkaConsumerRecord, _ fixture: ProcessorFixture) async -> (Decision, RecordPlan) {
        let (decision, context) = await fixture.processor.decide(record, mayStart: { true }, isCurrent: { true })
        return (decision, planner(fixture).plan(decision, for: record, context: context, now: now))
    }

    func position(_ record: KafkaConsumerRecord) -> String {
        RememberedOutcome.key(topic: record.topic, partition: record.partition, offset: record.offset)
    }

    func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    @Test("sent: the memory under the request id, then otp.sent with the input's key and causation")
    func sent() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let input = fixture.request("plan-sent", offset: 3, headers: [KafkaHeader(name: "ce_id", string: "in-1")])
        let (_, plan) = await decideAndPlan(input, fixture)

        let topics = fixture.configuration.topics
        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.sent]])
        let memory = plan.stages[0][0]
        #expect(text(memory.key) == RememberedOutcome.key(requestId: "plan-sent"))
        #expect(memory.partition == input.partition, "co-partitioned with the input")
        #expect(text(memory.value).contains(#""type":"otp.sent""#))
        let output = plan.stages[1][0]
        #expect(output.key == input.key)
        #expect(text(output.value).contains(#""requestId":"plan-sent""#))
        #expect(output.headers.last(named: "ce_type")?.stringValue == "otp.sent")
        #expect(output.headers.last(named: "otp_causation_id")?.stringValue == "in-1")
        #expect(plan.counts == [RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first)])
        #expect(plan.log.message == "otp.sent")
        #expect(plan.log.metadata[WorkerLogKey.phone] == "+91******3210", "the number is masked")
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(requestId: "plan-sent"))?.type == "otp.sent")
        #expect(fixture.sends == 1)
    }

    @Test("verified: the memory under the submission id, then otp.verified")
    func verified() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        guard case .outcome(.sent(let sent), _, _) = await decideAndPlan(fixture.request("plan-verify", offset: 1), fixture).0,
            let code = fixture.provider.code(for: sent.verificationId)
        else { Issue.record("no code was sent"); return }
        let input = fixture.submission(verificationId: sent.verificationId, code: code.revealed, submissionId: "sub-1", offset: 2)
        let (_, plan) = await decideAndPlan(input, fixture)

        let topics = fixture.configuration.topics
        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.verified]])
        #expect(text(plan.stages[0][0].key) == RememberedOutcome.key(submissionId: "sub-1"))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.verified", reason: nil, emission: .first)])
        #expect(!text(plan.stages[1][0].value).contains(code.revealed), "the code never leaves in an output")
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(submissionId: "sub-1"))?.type == "otp.verified")
    }

    @Test("failed, final: remembered under the request id, so a new record with the same id re-emits it")
    func failedFinal() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        fixture.provider.failNext(.send, with: ProviderError(reason: .invalidCountryCode, providerCode: 506, message: "bad country"))
        let (_, plan) = await decideAndPlan(fixture.request("plan-final", offset: 4), fixture)

        let topics = fixture.configuration.topics
        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.failed]])
        #expect(text(plan.stages[0][0].key) == RememberedOutcome.key(requestId: "plan-final"))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.failed", reason: "INVALID_COUNTRY_CODE", emission: .first)])
        #expect(plan.log.level == .notice)
        #expect(plan.log.metadata[WorkerLogKey.reason] == "INVALID_COUNTRY_CODE")

        let (again, againPlan) = await decideAndPlan(fixture.request("plan-final", offset: 5), fixture)
        guard case .replay(let first) = again else { Issue.record("expected a replay, got \(again)"); return }
        #expect(first.type == "otp.failed")
        #expect(againPlan.counts == [RecordPlan.Count(type: "otp.failed", reason: "INVALID_COUNTRY_CODE", emission: .reemitted)])
        #expect(fixture.sends == 1)
    }

    @Test("failed, retryable: remembered by the record's position only, so the backend's retry runs anew")
    func failedRetryable() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        fixture.provider.failNext(.send, with: ProviderError(reason: .maximumLimitReached, providerCode: 800, message: "limit"))
        let input = fixture.request("plan-retry", offset: 6)
        let (_, plan) = await decideAndPlan(input, fixture)

        #expect(text(plan.stages[0][0].key) == position(input))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.failed", reason: "MAXIMUM_LIMIT_REACHED", emission: .first)])
        #expect(fixture.processor.idempotency.finished(position(input))?.type == "otp.failed")
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(requestId: "plan-retry")) == nil)

        let (retry, _) = await decideAndPlan(fixture.request("plan-retry", offset: 7), fixture)
        guard case .outcome(.sent, _, _) = retry else { Issue.record("expected a new send, got \(retry)"); return }
        #expect(fixture.sends == 2)
    }

    @Test("dead letter: the memory by position, then otp.failed and the DLQ copy with its error headers")
    func deadLetter() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let topics = fixture.configuration.topics
        let input = fixture.record(topic: topics.requested, key: "k", json: #"{"requestId":"dl-1","countryCode":"91""#, offset: 9)
        let (decision, plan) = await decideAndPlan(input, fixture)
        guard case .deadLetter = decision else { Issue.record("expected a dead letter, got \(decision)"); return }

        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.failed, topics.deadLetter]])
        #expect(text(plan.stages[0][0].key) == position(input))
        let copy = plan.stages[1][1]
        #expect(copy.value == input.value, "the DLQ keeps the record's bytes")
        #expect(copy.headers.last(named: "otp.errors.topic")?.stringValue == topics.requested)
        #expect(copy.headers.last(named: "otp.errors.offset")?.stringValue == "9")
        #expect(plan.counts == [
            RecordPlan.Count(type: "otp.failed", reason: "INVALID_EVENT", emission: .first),
            RecordPlan.Count(type: "otp.dlq", reason: "INVALID_EVENT", emission: .first),
        ])
        #expect(fixture.processor.idempotency.finished(position(input))?.type == "otp.failed")
        #expect(fixture.sends == 0)

        // Read again (a redelivery): the same outcome and the DLQ copy, no memory to write.
        let (again, replayPlan) = await decideAndPlan(input, fixture)
        guard case .replay = again else { Issue.record("expected a replay, got \(again)"); return }
        #expect(replayPlan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.failed, topics.deadLetter]])
        #expect(replayPlan.counts == [
            RecordPlan.Count(type: "otp.failed", reason: "INVALID_EVENT", emission: .reemitted),
            RecordPlan.Count(type: "otp.dlq", reason: "INVALID_EVENT", emission: .reemitted),
        ], "the first outcome's own reason, told apart by emission")
    }

    @Test("replay: a repeated request id re-emits the first outcome byte for byte in one stage")
    func replay() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let (_, first) = await decideAndPlan(fixture.request("plan-replay", offset: 10), fixture)
        let (decision, plan) = await decideAndPlan(fixture.request("plan-replay", offset: 11), fixture)
        guard case .replay = decision else { Issue.record("expected a replay, got \(decision)"); return }

        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[fixture.configuration.topics.sent]])
        #expect(plan.stages[0][0].value == first.stages[1][0].value)
        #expect(first.counts == [RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first)])
        #expect(plan.counts == [RecordPlan.Count(type: "otp.sent", reason: nil, emission: .reemitted)])
        #expect(plan.log.message == "otp.sent re-emitted for a repeated key")
        #expect(fixture.sends == 1)
    }

    @Test("adopt: a result decided while the partition was away is written to memory, then published")
    func adopt() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let input = fixture.request("plan-adopt", offset: 12)
        _ = await fixture.processor.decide(input, mayStart: { true }, isCurrent: { false })
        let (decision, plan) = await decideAndPlan(input, fixture)
        guard case .adopt = decision else { Issue.record("expected adopt, got \(decision)"); return }

        let topics = fixture.configuration.topics
        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.sent]])
        #expect(text(plan.stages[0][0].key) == RememberedOutcome.key(requestId: "plan-adopt"))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first)], "its first publication")
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(requestId: "plan-adopt"))?.type == "otp.sent")
        #expect(fixture.sends == 1)
    }

    func header(_ name: String, _ record: KafkaProducerRecord) -> String? {
        record.headers.last(named: name)?.stringValue
    }

    @Test("the same input record read again re-emits with the first emission's ce_id, ce_source and ce_time")
    func sameRecordKeepsIdentity() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let input = fixture.request("plan-identity", offset: 20)
        let (_, first) = await decideAndPlan(input, fixture)
        let published = first.stages[1][0]

        // Another worker owns the partition now: it loads the memory from the topic and reads
        // the same record again.
        let other = try await ProcessorFixture()
        defer { other.stop() }
        let value = try #require(first.stages[0][0].value)
        let loaded = try #require(RememberedOutcome.parse(recordValue: value))
        other.processor.idempotency.preload([(key: RememberedOutcome.key(requestId: "plan-identity"), outcome: loaded.outcome, at: Date())])
        let otherPlanner = RecordPlanner(topics: other.configuration.topics, headers: CloudEventHeaders(source: "urn:otp-worker:other"))
        let (decision, context) = await other.processor.decide(input, mayStart: { true }, isCurrent: { true })
        let again = otherPlanner.plan(decision, for: input, context: context, now: now.addingTimeInterval(30))
        let reemitted = again.stages[0][0]

        for name in ["ce_id", "ce_source", "ce_time"] {
            #expect(header(name, reemitted) != nil)
            #expect(header(name, reemitted) == header(name, published), "\(name)")
        }
        #expect(reemitted.value == published.value)
        #expect(other.sends == 0)

        // A different record with the same requestId is an event of its own.
        let (_, repeated) = await decideAndPlan(fixture.request("plan-identity", offset: 21), fixture)
        #expect(header("ce_id", repeated.stages[0][0]) != header("ce_id", published))
        #expect(header("ce_source", repeated.stages[0][0]) == "urn:otp-worker:unit")
    }

    @Test("a dead letter read again keeps its identity too")
    func deadLetterKeepsIdentity() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let input = fixture.record(topic: fixture.configuration.topics.requested, key: "k", json: "{", offset: 22)
        let (_, first) = await decideAndPlan(input, fixture)
        let (_, again) = await decideAndPlan(input, fixture)
        #expect(header("ce_id", again.stages[0][0]) == header("ce_id", first.stages[1][0]))
    }

    @Test("abandon: nothing to write, nothing counted, and the key is free for the next owner")
    func abandon() async throws {
        let fixture = try await ProcessorFixture()
        defer { fixture.stop() }
        let input = fixture.request("plan-abandon", offset: 13)
        let (decision, context) = await fixture.processor.decide(input, mayStart: { false }, isCurrent: { true })
        let plan = planner(fixture).plan(decision, for: input, context: context, now: now)

        #expect(plan.isAbandoned)
        #expect(plan.counts.isEmpty)
        #expect(plan.log.level == .debug)
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(requestId: "plan-abandon")) == nil)
        #expect(fixture.sends == 0)
    }
}
