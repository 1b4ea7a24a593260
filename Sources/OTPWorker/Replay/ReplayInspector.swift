#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudGuard
import Kafka
import MessageCentral
import OTPEvents

/// Judges records the way the pipeline does (decode, expiry, idempotency, the provider call),
/// without publishing or committing anything. Pure but for the optional provider call.
public struct ReplayInspector: Sendable {
    let topics: WorkerTopics
    let decoder: EventDecoder
    let expiry: ExpiryPolicy
    /// First outcomes read from the idempotency topic, by idempotency key.
    let remembered: [String: RememberedOutcome]
    /// The fraud guard's verdict for a send now, without counting it; nil when the guard is off.
    var guardCheck: (@Sendable (_ countryCode: String, _ mobileNumber: String) -> GuardVerdict)?

    public init(topics: WorkerTopics, maxEventBytes: Int, maxRequestAge: Duration, remembered: [String: RememberedOutcome]) {
        self.topics = topics
        self.decoder = EventDecoder(maxEventBytes: maxEventBytes)
        self.expiry = ExpiryPolicy(maxRequestAge: maxRequestAge)
        self.remembered = remembered
    }

    /// The verdict for `record` at `now`.
    public func inspect(_ record: KafkaConsumerRecord, now: Date) -> ReplayVerdict {
        var verdict = ReplayVerdict(
            topic: record.topic, partition: record.partition, offset: record.offset,
            key: record.key.map { String(decoding: $0, as: UTF8.self) }, timestampMilliseconds: record.timestampMilliseconds,
            action: .deadLetter)
        let origin = origin(of: record)
        verdict.deadLetter = origin.deadLetter
        guard let kind = origin.kind else {
            verdict.action = .unknownOrigin
            verdict.originProblem = origin.deadLetter.map {
                "otp.errors.topic '\($0.topic)' is neither input topic (\(topics.requested), \(topics.submitted))"
            } ?? "no otp.errors.topic header says which input it came from"
            return verdict
        }
        // Named before decoding, so that a record that does not decode still says as what it was judged.
        verdict.event = kind == .submitted ? "otp.submitted" : "otp.requested"
        let decoded: DecodedInput
        do {
            decoded = try decoder.decode(value: record.value, headers: record.headers, kind: kind)
        } catch {
            verdict.decodeError = error
            verdict.requestId = error.partial.requestId
            verdict.verificationId = error.partial.verificationId
            verdict.submissionId = error.partial.submissionId
            return verdict
        }
        switch decoded.input {
        case .requested(let request):
            verdict.event = "otp.requested"
            verdict.requestId = request.requestId
            let key = RememberedOutcome.key(requestId: request.requestId)
            verdict.idempotencyKey = key
            verdict.ageSeconds = expiry.age(of: request, timestampMilliseconds: record.timestampMilliseconds, now: now)
                .map { Int($0.components.seconds) }
            if let first = remembered[key] {
                let fresh: ReplayVerdict.Action =
                    expiry.isExpired(request, timestampMilliseconds: record.timestampMilliseconds, now: now) ? .expire : .send
                verdict.remember(first, freshAction: fresh)
            } else if expiry.isExpired(request, timestampMilliseconds: record.timestampMilliseconds, now: now) {
                verdict.action = .expire
            } else {
                verdict.action = .send
                let phone = PhoneNumberMask.mask(countryCode: request.countryCode, nationalNumber: request.mobileNumber)
                verdict.providerCall = "send a \(request.otpLength)-digit code by \(request.flowType.rawValue) to \(phone)"
                verdict.guardVerdict = guardCheck.map { Self.describe($0(request.countryCode, request.mobileNumber)) }
            }
        case .submitted(let submission):
            verdict.event = "otp.submitted"
            verdict.requestId = submission.requestId
            verdict.verificationId = submission.verificationId
            verdict.submissionId = submission.submissionId
            let key = submission.submissionId.map(RememberedOutcome.key(submissionId:))
            verdict.idempotencyKey = key
            if let key, let first = remembered[key] {
                verdict.remember(first, freshAction: .validate)
            } else {
                verdict.action = .validate
                verdict.providerCall = "validate a \(submission.code.count)-digit code for verification \(submission.verificationId)"
            }
        }
        return verdict
    }

    /// `admit`, `RATE_LIMITED by number_limit (retry after 73s): …` or `SEND_BLOCKED by deny_prefixes: …`.
    static func describe(_ verdict: GuardVerdict) -> String {
        switch verdict {
        case .admit: "admit"
        case .rateLimited(let rule, let seconds, let message): "RATE_LIMITED by \(rule.rawValue) (retry after \(seconds)s): \(message)"
        case .blocked(let rule, let message): "SEND_BLOCKED by \(rule.rawValue): \(message)"
        }
    }

    /// As which input a record is judged, and, for a dead letter, what it was then.
    ///
    /// A dead letter is judged as a record of the topic its `otp.errors.topic` header names
    /// (through the configured names), wherever it is read: the DLQ holds both inputs, and
    /// judging a dead-lettered submission as a request only repeats "requestId: is required".
    /// A record of the DLQ without that header has no known kind.
    func origin(of record: KafkaConsumerRecord) -> (kind: OTPInputKind?, deadLetter: DeadLetterOrigin?) {
        if let deadLetter = DeadLetterOrigin(headers: record.headers) {
            return (topics.inputKind(ofTopic: deadLetter.topic), deadLetter)
        }
        if record.topic == topics.submitted { return (.submitted, nil) }
        if record.topic == topics.deadLetter { return (nil, nil) }
        return (.requested, nil)
    }

    /// Makes the call a `.send` or `.validate` verdict describes, and records the answer. Only
    /// with an explicit operator flag: it texts real people when pointed at the real provider.
    /// Expired requests and re-emissions are never called.
    public func call(_ verdict: inout ReplayVerdict, record: KafkaConsumerRecord, provider: any VerificationProvider, deadline: Duration) async {
        guard verdict.action == .send || verdict.action == .validate,
            let kind = origin(of: record).kind,
            let decoded = try? decoder.decode(value: record.value, headers: record.headers, kind: kind)
        else { return }
        do {
            switch decoded.input {
            case .requested(let request):
                let result = try await provider.send(
                    SendRequest(countryCode: request.countryCode, mobileNumber: request.mobileNumber,
                                flowType: FlowType(rawValue: request.flowType.rawValue) ?? .sms, otpLength: request.otpLength),
                    deadline: .now + deadline)
                verdict.providerResult = result.resumed
                    ? "resumed the pending verificationId \(result.verificationId) (506; no new code)"
                    : "sent, verificationId \(result.verificationId)"
            case .submitted(let submission):
                _ = try await provider.validate(
                    ValidateRequest(verificationId: submission.verificationId, code: Secret(submission.code)), deadline: .now + deadline)
                verdict.providerResult = "verified"
            }
        } catch {
            verdict.providerResult = "\(error.reason.rawValue) (provider code \(error.providerCode.map(String.init) ?? "none"))"
        }
    }
}
