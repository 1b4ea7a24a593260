#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Kafka
import Logging
import MessageCentral
import OTPEvents
import WorkerTracing

/// Turns one input record into a decision: decode, route, expiry, idempotency, provider call.
///
/// The idempotency memory of this process is kept here, for every kind of decision; turning
/// the decision into records (``RecordPlanner``), publishing and marking done are the
/// caller's. Every path that claims an idempotency key completes it, so duplicates waiting on
/// it never wait forever.
struct RecordProcessor: Sendable {
    let configuration: WorkerConfiguration
    let decoder: EventDecoder
    let provider: any VerificationProvider
    let gate: ProviderGate
    let idempotency: IdempotencyRegistry<RememberedOutcome>
    let metrics: PipelineMetrics
    /// The fraud guard, asked before each send; nil when `--guard off`.
    let guardian: WorkerGuard?
    let logger: Logger
    /// Wall-clock time, injectable for expiry tests.
    let now: @Sendable () -> Date

    /// Decides what to publish for `record`.
    /// - Parameters:
    ///   - trace: The record's span when tracing is on: the provider call gets a child span.
    ///   - mayStart: whether the record's partition is still owned and the worker not stopping;
    ///     checked before any provider call so that revoked work is not started.
    ///   - isCurrent: whether the record's partition is still owned (by the assignment that read
    ///     it); an outcome decided after it went is not remembered, since the next owner decides.
    func decide(
        _ record: KafkaConsumerRecord, trace: RecordTrace? = nil, mayStart: @Sendable () -> Bool,
        isCurrent: @escaping @Sendable () -> Bool
    ) async -> (Decision, InputContext) {
        let ownership = Ownership(origin: record.topicPartition, input: Emission.Input(record), isCurrent: isCurrent)
        // The same record read again (a redelivery after a crash or a rebalance) re-emits its
        // outcome, even a retryable failure that its id does not remember.
        let position = RememberedOutcome.key(topic: record.topic, partition: record.partition, offset: record.offset)
        if let first = idempotency.finished(position) {
            return (.replay(first), InputContext(headers: record.headers))
        }
        let kind: OTPInputKind = record.topic == configuration.topics.submitted ? .submitted : .requested
        let decoded: DecodedInput
        do {
            decoded = try decoder.decode(value: record.value, headers: record.headers, kind: kind)
        } catch {
            return (deadLetter(error, position: position, ownership: ownership), InputContext(headers: record.headers))
        }
        switch decoded.input {
        case .requested(let request):
            return (await send(request, record: record, position: position, trace: trace, mayStart: mayStart, ownership: ownership),
                    decoded.context)
        case .submitted(let submission):
            return (await verify(submission, position: position, trace: trace, mayStart: mayStart, ownership: ownership),
                    decoded.context)
        }
    }

    private func send(
        _ request: OTPRequested, record: KafkaConsumerRecord, position: String, trace: RecordTrace?,
        mayStart: @Sendable () -> Bool, ownership: Ownership
    ) async -> Decision {
        let key = RememberedOutcome.key(requestId: request.requestId)
        if let decided = await claim(key, ownership: ownership) { return decided }
        var remembered: RememberedOutcome?
        defer { idempotency.complete(key, outcome: remembered, origin: ownership.origin, isCurrent: ownership.isCurrent) }

        let expiry = ExpiryPolicy(maxRequestAge: configuration.maxRequestAge)
        if let age = expiry.age(of: request, timestampMilliseconds: record.timestampMilliseconds, now: now()),
            age > configuration.maxRequestAge {
            let output = OTPOutput.failed(OTPFailed(
                stage: .send, reason: "REQUEST_EXPIRED", providerCode: nil,
                message: "request is \(Int(age.components.seconds))s old, older than the maximum age of \(configuration.maxRequestAge)",
                retryable: false, requestId: request.requestId, verificationId: nil, submissionId: nil,
                failedAt: now(), metadata: request.metadata))
            return decision(for: output, key: key, position: position, ownership: ownership, remembered: &remembered)
        }
        if let guardian, let refused = refusal(await guardian.judge(request), request) {
            return decision(for: refused, key: key, position: position, ownership: ownership, remembered: &remembered)
        }
        guard await passGate(mayStart: mayStart) else {
            guardian?.release(request.requestId)
            return .abandon("partition revoked or worker stopping")
        }

        let started = ContinuousClock.now
        do {
            let sendRequest = SendRequest(
                countryCode: request.countryCode, mobileNumber: request.mobileNumber,
                flowType: FlowType(rawValue: request.flowType.rawValue) ?? .sms, otpLength: request.otpLength)
            let deadline = started + configuration.providerDeadline
            let result = try await traced(trace, "send") { () async throws(ProviderError) in
                try await provider.send(sendRequest, deadline: deadline)
            }
            metrics.providerCall(.send, duration: .now - started)
            gate.reportAnswered()
            // A resumed result is the verification already pending for this number (the
            // provider's 506 named it): publishing it, not a failure, keeps a code the user holds
            // valid when a send is repeated after a crash or a rebalance. Its timeout is what the
            // provider says is left, else 0: the worker cannot know how much of it has passed.
            let sent = OTPSent(
                requestId: request.requestId, verificationId: result.verificationId,
                countryCode: request.countryCode, mobileNumber: request.mobileNumber, flowType: request.flowType,
                timeoutSeconds: result.timeoutSeconds ?? 0, transactionId: result.transactionId,
                sentAt: now(), metadata: request.metadata, resumed: result.resumed)
            guardian?.confirm(sent)
            return decision(for: .sent(sent), key: key, position: position, ownership: ownership, remembered: &remembered)
        } catch {
            metrics.providerCall(.send, duration: .now - started)
            // The provider refused the send or never answered: it does not count against the
            // guard's limits. (An answer lost after the code went out is the rare exception; a
            // repeat then meets the provider's 506 rather than a second code.)
            guardian?.release(request.requestId)
            if Task.isCancelled { return .abandon("cancelled during the provider call") }
            gate.report(error)
            let output = OTPOutput.failed(failure(error, stage: .send, requestId: request.requestId,
                                                  verificationId: nil, submissionId: nil, metadata: request.metadata))
            return decision(for: output, key: key, position: position, ownership: ownership, remembered: &remembered)
        }
    }

    private func verify(
        _ submission: OTPSubmitted, position: String, trace: RecordTrace?, mayStart: @Sendable () -> Bool, ownership: Ownership
    ) async -> Decision {
        let key = submission.submissionId.map(RememberedOutcome.key(submissionId:))
        if let key, let decided = await claim(key, ownership: ownership) { return decided }
        var remembered: RememberedOutcome?
        defer {
            if let key {
                idempotency.complete(key, outcome: remembered, origin: ownership.origin, isCurrent: ownership.isCurrent)
            }
        }
        guard await passGate(mayStart: mayStart) else { return .abandon("partition revoked or worker stopping") }

        let started = ContinuousClock.now
        do {
            let validateRequest = ValidateRequest(verificationId: submission.verificationId, code: Secret(submission.code))
            let deadline = started + configuration.providerDeadline
            let result = try await traced(trace, "validate") { () async throws(ProviderError) in
                try await provider.validate(validateRequest, deadline: deadline)
            }
            metrics.providerCall(.validate, duration: .now - started)
            gate.reportAnswered()
            let output = OTPOutput.verified(OTPVerified(
                verificationId: submission.verificationId, requestId: submission.requestId,
                submissionId: submission.submissionId, verifiedAt: now(),
                transactionId: result.transactionId, metadata: submission.metadata))
            return decision(for: output, key: key, position: position, ownership: ownership, remembered: &remembered)
        } catch {
            metrics.providerCall(.validate, duration: .now - started)
            if Task.isCancelled { return .abandon("cancelled during the provider call") }
            gate.report(error)
            let output = OTPOutput.failed(failure(error, stage: .verify, requestId: submission.requestId,
                                                  verificationId: submission.verificationId,
                                                  submissionId: submission.submissionId, metadata: submission.metadata))
            return decision(for: output, key: key, position: position, ownership: ownership, remembered: &remembered)
        }
    }

    /// The `otp.failed` for a send the fraud guard refuses; nil when it admits it.
    private func refusal(_ verdict: GuardVerdict, _ request: OTPRequested) -> OTPOutput? {
        let reason: String
        let message: String
        var retryAfter: Int?
        switch verdict {
        case .admit:
            return nil
        case .rateLimited(_, let seconds, let text):
            (reason, message, retryAfter) = ("RATE_LIMITED", text, seconds)
        case .blocked(_, let text):
            (reason, message) = ("SEND_BLOCKED", text)
        }
        return .failed(OTPFailed(
            stage: .send, reason: reason, providerCode: nil, message: message, retryable: retryAfter != nil,
            requestId: request.requestId, verificationId: nil, submissionId: nil, failedAt: now(),
            metadata: request.metadata, retryAfterSeconds: retryAfter))
    }

    /// The `otp.failed` of an unreadable record, remembered by the record's position so that the
    /// record read again re-emits this very outcome (it has no id to be remembered by).
    private func deadLetter(_ error: EventDecodingError, position: String, ownership: Ownership) -> Decision {
        let failed = OTPOutput.failed(OTPFailed(
            stage: .decode, reason: "INVALID_EVENT", providerCode: nil, message: error.message, retryable: false,
            requestId: error.partial.requestId, verificationId: error.partial.verificationId,
            submissionId: error.partial.submissionId, failedAt: now(), metadata: error.partial.metadata))
        let encoded = RememberedOutcome(failed, emission: emission(for: ownership))
        idempotency.remember(position, outcome: encoded, origin: ownership.origin, isCurrent: ownership.isCurrent)
        return .deadLetter(failed, encoded: encoded, remember: position, message: error.message)
    }

    /// Claims `key` for this record: nil when the record owns it and must decide; otherwise what
    /// is already decided. That is the replay of the key's first outcome, or an outcome this
    /// process decided while the partition was away and never published, which this record
    /// now owns and publishes without calling the provider.
    private func claim(_ key: String, ownership: Ownership) async -> Decision? {
        switch await idempotency.claim(key) {
        case .owner:
            return nil
        case .replay(let first):
            return .replay(first)
        case .adopt(let unpublished):
            idempotency.complete(key, outcome: unpublished, origin: ownership.origin, isCurrent: ownership.isCurrent)
            return .adopt(unpublished, remember: key)
        }
    }

    /// The decision to publish `output`, encoded once. A retryable failure is remembered for
    /// this record only (by `position`, so a redelivery re-emits it while a new record with the
    /// same id runs anew); any other outcome goes to `remembered`, which the caller completes
    /// its id's key with.
    private func decision(
        for output: OTPOutput, key: String?, position: String, ownership: Ownership, remembered: inout RememberedOutcome?
    ) -> Decision {
        let encoded = RememberedOutcome(output, emission: emission(for: ownership))
        if output.isRetryableFailure {
            idempotency.remember(position, outcome: encoded, origin: ownership.origin, isCurrent: ownership.isCurrent)
            return .outcome(output, encoded: encoded, remember: position)
        }
        remembered = encoded
        return .outcome(output, encoded: encoded, remember: key)
    }

    /// A new CloudEvents identity for an outcome decided now for the record of `ownership`.
    private func emission(for ownership: Ownership) -> Emission {
        Emission(id: EventID.make(), source: configuration.source, milliseconds: now().wholeMilliseconds, input: ownership.input)
    }

    /// Runs the provider call `body` in a child span of `trace` (when tracing is on) whose events
    /// are the call's retries; a failed call ends it with the failure's reason, never its message.
    private func traced<T: Sendable>(
        _ trace: RecordTrace?, _ operation: String, _ body: () async throws(ProviderError) -> T
    ) async throws(ProviderError) -> T {
        guard let trace else { return try await body() }
        let span = trace.providerSpan(operation)
        defer { span.end() }
        let result: Result<T, ProviderError> = await ProviderCallObservation.$observer.withValue(SpanRetryRecorder(span: span)) {
            do throws(ProviderError) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            span.setAttribute("otp.provider.reason", .string(error.reason.rawValue))
            if let code = error.providerCode { span.setAttribute("otp.provider.code", .int(Int64(code))) }
            span.setStatus(.error(error.reason.rawValue))
        }
        return try result.get()
    }

    /// Waits while the gate holds provider calls; false when the work must be abandoned instead.
    private func passGate(mayStart: @Sendable () -> Bool) async -> Bool {
        while true {
            guard mayStart(), !Task.isCancelled else { return false }
            if gate.holdReason == nil { return true }
            await gate.waitWhileHeld()
        }
    }

    /// The contract's `otp.failed` for a provider error. `UNEXPECTED_RESPONSE` (an answer the
    /// document does not describe) is not a contract reason: it becomes `SERVER_ERROR`.
    private func failure(
        _ error: ProviderError, stage: FailureStage, requestId: String?, verificationId: String?,
        submissionId: String?, metadata: [String: String]?
    ) -> OTPFailed {
        let reason = error.reason == .unexpectedResponse ? ProviderFailureReason.serverError : error.reason
        return OTPFailed(
            stage: stage, reason: reason.rawValue, providerCode: error.providerCode, message: error.message,
            retryable: reason.isRetryable, requestId: requestId, verificationId: verificationId,
            submissionId: submissionId, failedAt: now(), metadata: metadata)
    }
}

/// The input partition a decision is made for, and whether it is still owned.
struct Ownership: Sendable {
    let origin: KafkaTopicPartition
    /// The record decided for: the input of the outcome's first emission.
    let input: Emission.Input
    let isCurrent: @Sendable () -> Bool
}

extension OTPOutput {
    /// A failure the backend may retry: not remembered, so the next attempt runs anew
    /// (docs/events.md, processing rule 4).
    var isRetryableFailure: Bool {
        if case .failed(let failed) = self { return failed.retryable }
        return false
    }
}
