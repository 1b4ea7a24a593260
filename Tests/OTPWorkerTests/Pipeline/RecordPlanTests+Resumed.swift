import Kafka
import Logging
import MessageCentral
import OTPEvents
import Testing

@testable import OTPWorker

/// A send that meets a code still pending for its number: two requestIds to one number, the
/// second as a send repeated after a crash would be (its first attempt reached the provider).
extension RecordPlanTests {
    @Test("resumed: a 506 naming the pending verification publishes otp.sent with that verification, resumed, remembered")
    func resumed() async throws {
        let fixture = try await ProcessorFixture(provider: InMemoryVerificationProvider(rejectsPendingDuplicates: true))
        defer { fixture.stop() }
        guard case .outcome(.sent(let first), _, _) = await decideAndPlan(fixture.request("resume-first", offset: 20), fixture).0
        else { Issue.record("the first request was not sent"); return }
        #expect(!first.resumed)

        let input = fixture.request("resume-second", offset: 21)
        let (decision, plan) = await decideAndPlan(input, fixture)
        guard case .outcome(.sent(let sent), _, _) = decision else { Issue.record("expected otp.sent, got \(decision)"); return }
        #expect(sent.resumed)
        #expect(sent.verificationId == first.verificationId)
        #expect(sent.requestId == "resume-second")
        #expect((1...60).contains(sent.timeoutSeconds), "what the pending code has left: \(sent.timeoutSeconds)")
        #expect(fixture.sends == 2)

        let topics = fixture.configuration.topics
        #expect(plan.stages.map { $0.map { (record: KafkaProducerRecord) in record.topic } } == [[topics.idempotency], [topics.sent]])
        #expect(text(plan.stages[0][0].key) == RememberedOutcome.key(requestId: "resume-second"), "a final outcome: remembered by id")
        let payload = text(plan.stages[1][0].value)
        #expect(payload.contains(#""verificationId":"\#(first.verificationId)""#))
        #expect(payload.contains(#""resumed":true"#))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.sent", reason: nil, emission: .first)])
        #expect(plan.log.level == .info)
        #expect(plan.log.message == "otp.sent")
        #expect(plan.log.metadata[WorkerLogKey.resumed] == "true")
        #expect(plan.log.metadata[WorkerLogKey.verificationID] == "\(first.verificationId)")
        #expect(plan.log.metadata[WorkerLogKey.phone] == "+91******3210", "the number is masked")
        #expect(!"\(plan.log.metadata)".contains("9876543210"))

        // The user's code is the first one, and it still checks.
        let code = try #require(fixture.provider.code(for: sent.verificationId))
        let check = fixture.submission(verificationId: sent.verificationId, code: code.revealed, submissionId: "resume-check", offset: 22)
        guard case .outcome(.verified, _, _) = await decideAndPlan(check, fixture).0 else { Issue.record("the code did not check"); return }
    }

    @Test("an ordinary send is not marked resumed, in the payload or the log line")
    func notResumed() async throws {
        let fixture = try await ProcessorFixture(provider: InMemoryVerificationProvider(rejectsPendingDuplicates: true))
        defer { fixture.stop() }
        let (_, plan) = await decideAndPlan(fixture.request("resume-none", offset: 23), fixture)
        #expect(!text(plan.stages[1][0].value).contains("resumed"))
        #expect(plan.log.metadata[WorkerLogKey.resumed] == nil)
    }

    @Test("a 506 naming no verification is otp.failed REQUEST_ALREADY_EXISTS, retryable, remembered by position only")
    func pendingNotNamed() async throws {
        let provider = InMemoryVerificationProvider(rejectsPendingDuplicates: true, pendingNamesVerification: false)
        let fixture = try await ProcessorFixture(provider: provider)
        defer { fixture.stop() }
        guard case .outcome(.sent, _, _) = await decideAndPlan(fixture.request("pending-first", offset: 24), fixture).0
        else { Issue.record("the first request was not sent"); return }

        let input = fixture.request("pending-second", offset: 25)
        let (decision, plan) = await decideAndPlan(input, fixture)
        guard case .outcome(.failed(let failed), _, _) = decision else { Issue.record("expected otp.failed, got \(decision)"); return }
        #expect(failed.reason == "REQUEST_ALREADY_EXISTS")
        #expect(failed.providerCode == 506)
        #expect(failed.retryable)
        #expect(failed.requestId == "pending-second")
        #expect(text(plan.stages[0][0].key) == position(input))
        #expect(plan.counts == [RecordPlan.Count(type: "otp.failed", reason: "REQUEST_ALREADY_EXISTS", emission: .first)])
        #expect(plan.log.level == .notice)
        #expect(fixture.processor.idempotency.finished(RememberedOutcome.key(requestId: "pending-second")) == nil)
        #expect(fixture.sends == 2)
    }
}
