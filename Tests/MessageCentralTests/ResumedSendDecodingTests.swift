import Testing

@testable import MessageCentral

/// A 506 that names the pending verification is a resumed send; one that does not stays a failure.
@Suite("Decoding 506 answers that name the pending verification", .timeLimit(.minutes(1)))
struct ResumedSendDecodingTests {
    let send = SendRequest(countryCode: "91", mobileNumber: "9999999999", flowType: .sms, otpLength: 4)

    func interpret(_ status: Int, _ body: String) -> ResponseInterpreter.Outcome<SendResult> {
        ResponseInterpreter.interpretSend(httpStatus: status, bytes: body.bytes, request: self.send)
    }

    @Test("506 as HTTP 400 with the code in the body and the id in data: resumed, with timeout and transaction id")
    func http400NamingVerification() {
        let outcome = self.interpret(400, RecordedBodies.requestAlreadyExistsNamingVerification)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.resumed)
        #expect(result.verificationId == "1234567")
        #expect(result.timeoutSeconds == 42)
        #expect(result.transactionId == "a1b2c3")
        #expect(result.countryCode == "91")
        #expect(result.mobileNumber == "9999999999", "the number requested, not the echo")
    }

    @Test("506 as HTTP 506 with only data in the body: the status decides, a numeric id is read as text")
    func http506NamingVerification() {
        let outcome = self.interpret(506, #"{"data": {"verificationId": 2949}}"#)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.resumed)
        #expect(result.verificationId == "2949")
        #expect(result.timeoutSeconds == nil, "no timeout in the answer")
        #expect(result.transactionId == nil)
    }

    @Test("506 only in data.responseCode, under HTTP 400, naming the verification: resumed")
    func dataResponseCodeNamingVerification() {
        let outcome = self.interpret(400, #"{"message": "REQUEST_ALREADY_EXISTS", "data": {"responseCode": "506", "verificationId": "77", "timeout": 30}}"#)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.resumed)
        #expect(result.verificationId == "77")
        #expect(result.timeoutSeconds == 30)
    }

    @Test("the validate answer's spelling verficationId names the verification too", arguments: [400, 506])
    func misspeltID(status: Int) {
        let outcome = self.interpret(status, #"{"responseCode": "506", "data": {"verficationId": "88", "timeout": "15"}}"#)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.resumed)
        #expect(result.verificationId == "88")
        #expect(result.timeoutSeconds == 15)
    }

    @Test(
        "506 naming no verification stays REQUEST_ALREADY_EXISTS, retryable, not retried by the client",
        arguments: [
            (400, RecordedBodies.requestAlreadyExists),
            (506, RecordedBodies.requestAlreadyExists),
            (506, #"{"message": "REQUEST_ALREADY_EXISTS"}"#),
            (400, #"{"responseCode": 506, "data": {"timeout": "30", "verificationId": null}}"#),
            (400, #"{"responseCode": 506, "data": {"verificationId": "  "}}"#),
        ]
    )
    func withoutID(status: Int, body: String) {
        let outcome = self.interpret(status, body)
        guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure, got \(outcome)"); return }
        #expect(error.reason == .requestAlreadyExists)
        #expect(error.providerCode == 506)
        #expect(error.retryable)
        #expect(!transient)
    }

    @Test("an ordinary send is not resumed")
    func ordinarySendNotResumed() {
        let outcome = self.interpret(200, RecordedBodies.sendSuccess)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(!result.resumed)
    }

    @Test("an id in another failure's body does not turn it into a success")
    func otherCodesIgnoreTheID() {
        for (status, body) in [
            (200, #"{"responseCode": 800, "data": {"verificationId": "5"}}"#),
            (400, #"{"responseCode": 511, "data": {"verificationId": "5"}}"#),
            (400, #"{"responseCode": 400, "data": {"verificationId": "5"}}"#),
        ] {
            guard case .failure = self.interpret(status, body) else { Issue.record("expected failure for \(body)"); continue }
        }
    }

    @Test("the description says resumed and keeps the number masked")
    func describesResumed() {
        let result = SendResult(
            verificationId: "1", timeoutSeconds: 5, transactionId: nil, countryCode: "91", mobileNumber: "9876543210", resumed: true)
        #expect(result.description.hasSuffix(", resumed)"))
        #expect(!result.description.contains("9876543210"))
    }
}
