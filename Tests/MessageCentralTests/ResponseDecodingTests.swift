import Testing

@testable import MessageCentral

@Suite("Decoding recorded provider answers", .timeLimit(.minutes(1)))
struct ResponseDecodingTests {
    let send = SendRequest(countryCode: "91", mobileNumber: "9999999999", flowType: .sms, otpLength: 4)
    let validate = ValidateRequest(verificationId: "1234567", code: Secret("4711"))

    @Test("the document's send example decodes, with timeout as a string")
    func sendSuccess() throws {
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: RecordedBodies.sendSuccess.bytes, request: self.send)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.verificationId == "1234567")
        #expect(result.timeoutSeconds == 60)
        #expect(result.transactionId == "a1b2c3")
        #expect(result.mobileNumber == "9999999999")
    }

    @Test("numbers and strings are both accepted for codes, ids and timeout")
    func numbersOrStrings() {
        let body = #"{"responseCode": "200", "data": {"verificationId": 2949, "timeout": 45, "transactionId": 99}}"#
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: body.bytes, request: self.send)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.verificationId == "2949")
        #expect(result.timeoutSeconds == 45)
        #expect(result.transactionId == "99")
    }

    @Test("an id above 2^53 keeps every digit")
    func largeNumericID() {
        let body = #"{"responseCode": 200, "data": {"verificationId": 9007199254740993}}"#
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: body.bytes, request: self.send)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.verificationId == "9007199254740993")
    }

    @Test("null, missing and unreadable optional fields are nil, not failures")
    func nullFields() {
        let body = #"{"responseCode": 200, "data": {"verificationId": "5", "timeout": null, "transactionId": null, "errorMessage": null}}"#
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: body.bytes, request: self.send)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.timeoutSeconds == nil)
        #expect(result.transactionId == nil)
        let odd = #"{"responseCode": 200, "data": {"verificationId": "5", "timeout": "soon"}}"#
        guard case .success(let oddResult) = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: odd.bytes, request: self.send)
        else { Issue.record("expected success"); return }
        #expect(oddResult.timeoutSeconds == nil)
    }

    @Test("a 200 send without a verification id is unexpected and not retried")
    func sendWithoutID() {
        let body = #"{"responseCode": 200, "message": "SUCCESS", "data": null}"#
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: body.bytes, request: self.send)
        guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure"); return }
        #expect(error.reason == .unexpectedResponse)
        #expect(error.providerCode == 200)
        #expect(!transient)
    }

    @Test("506 as HTTP 400 with the code in the body is REQUEST_ALREADY_EXISTS")
    func code506InBody() {
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 400, bytes: RecordedBodies.requestAlreadyExists.bytes, request: self.send)
        guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure"); return }
        #expect(error.reason == .requestAlreadyExists)
        #expect(error.providerCode == 506)
        #expect(error.retryable)
        #expect(!transient)
    }

    @Test("the validate example with verficationId succeeds and keeps the id that was sent")
    func validateSuccess() {
        let outcome = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: RecordedBodies.validateSuccess.bytes, request: self.validate)
        guard case .success(let result) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(result.verificationId == "1234567")
        #expect(result.transactionId == nil)
    }

    @Test("both spellings of the validate id are read")
    func bothSpellings() {
        let misspelt = ProviderResponseBody(bytes: #"{"data": {"verficationId": 12}}"#.bytes)
        let spelt = ProviderResponseBody(bytes: #"{"data": {"verificationId": "13"}}"#.bytes)
        #expect(misspelt.verificationId == "12")
        #expect(spelt.verificationId == "13")
    }

    @Test("the echoed id is ignored: the result carries the id that was sent")
    func echoIgnored() {
        let body = #"{"responseCode": 200, "data": {"verficationId": "999", "verificationStatus": "VERIFICATION_COMPLETED"}}"#
        guard case .success(let result) = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: body.bytes, request: self.validate)
        else { Issue.record("expected success"); return }
        #expect(result.verificationId == "1234567")
    }

    @Test("a 200 validate without VERIFICATION_COMPLETED is not a success")
    func validateWithoutCompleted() {
        let missing = #"{"responseCode": 200, "data": {"verficationId": "1"}}"#
        let failed = #"{"responseCode": 200, "data": {"verificationStatus": "VERIFICATION_FAILED"}}"#
        let other = #"{"responseCode": 200, "data": {"verificationStatus": "pending 4711"}}"#
        for (body, reason) in [(missing, ProviderFailureReason.verificationFailed), (failed, .verificationFailed), (other, .verificationFailed)] {
            let outcome = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: body.bytes, request: self.validate)
            guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure for \(body)"); continue }
            #expect(error.reason == reason)
            #expect(!transient)
            #expect(!error.message.contains("4711"))
        }
    }

    @Test("703 is ALREADY_VERIFIED, never a success, whether number or string")
    func alreadyVerified() {
        for body in [#"{"responseCode": 703}"#, #"{"responseCode": "703", "data": {"verificationStatus": "VERIFICATION_COMPLETED"}}"#] {
            let outcome = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: body.bytes, request: self.validate)
            guard case .failure(let error, _) = outcome else { Issue.record("703 must fail: \(body)"); continue }
            #expect(error.reason == .alreadyVerified)
            #expect(error.providerCode == 703)
            #expect(!error.retryable)
        }
    }

    @Test("only data.responseCode: the code is read from there")
    func dataResponseCodeOnly() {
        let outcome = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: RecordedBodies.wrongOTPDataCodeOnly.bytes, request: self.validate)
        guard case .failure(let error, _) = outcome else { Issue.record("expected failure"); return }
        #expect(error.reason == .wrongOTPProvided)
        #expect(error.providerCode == 702)
    }

    @Test("the body's code wins over data.responseCode, which wins over the HTTP status")
    func precedence() {
        let both = ProviderResponseBody(bytes: #"{"responseCode": 705, "data": {"responseCode": "702"}}"#.bytes)
        #expect(ResponseInterpreter.classify(httpStatus: 400, bytes: #"{"responseCode": 705, "data": {"responseCode": "702"}}"#.bytes).code == 705)
        #expect(both.dataResponseCode == 702)
        #expect(ResponseInterpreter.classify(httpStatus: 400, bytes: #"{"data": {"responseCode": "702"}}"#.bytes).code == 702)
        #expect(ResponseInterpreter.classify(httpStatus: 409, bytes: #"{"message": "x"}"#.bytes).code == 409)
    }

    @Test("a Whitelabel HTML page on 404 is unexpected and says so")
    func whitelabel404() {
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 404, bytes: RecordedBodies.whitelabel.bytes, request: self.send)
        guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure"); return }
        #expect(error.reason == .unexpectedResponse)
        #expect(error.providerCode == 404)
        #expect(error.message.contains("Whitelabel"))
        #expect(!transient)
    }

    @Test("a non-JSON 5xx is a transient server error whatever its number")
    func nonJSON5xx() {
        for status in [500, 501, 502, 503, 505] {
            let outcome = ResponseInterpreter.interpretSend(httpStatus: status, bytes: RecordedBodies.whitelabel.bytes, request: self.send)
            guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure"); continue }
            #expect(error.reason == .serverError, "status \(status)")
            #expect(error.providerCode == status)
            #expect(transient)
        }
        let empty = ResponseInterpreter.interpretSend(httpStatus: 503, bytes: [], request: self.send)
        guard case .failure(_, true) = empty else { Issue.record("empty 503 must be transient"); return }
    }

    @Test("a JSON 501 is the provider's INVALID_CUSTOMER_ID and is not retried")
    func json501() {
        let outcome = ResponseInterpreter.interpretSend(httpStatus: 501, bytes: #"{"responseCode": 501}"#.bytes, request: self.send)
        guard case .failure(let error, let transient) = outcome else { Issue.record("expected failure"); return }
        #expect(error.reason == .invalidCustomerID)
        #expect(!transient)
    }

    @Test("401 and 403 ask for a token refresh")
    func tokenRefused() {
        for status in [401, 403] {
            guard case .tokenRefused(let code) = ResponseInterpreter.interpretSend(httpStatus: status, bytes: [], request: self.send)
            else { Issue.record("expected tokenRefused for \(status)"); continue }
            #expect(code == status)
        }
        guard case .tokenRefused(401) = ResponseInterpreter.interpretValidate(httpStatus: 200, bytes: #"{"responseCode": 401}"#.bytes, request: self.validate)
        else { Issue.record("a body 401 must ask for a refresh"); return }
    }

    @Test("a token answer: success needs a token")
    func tokenAnswers() {
        guard case .success(let token) = ResponseInterpreter.interpretToken(httpStatus: 200, bytes: RecordedBodies.token("abc.def.ghi").bytes)
        else { Issue.record("expected a token"); return }
        #expect(token == "abc.def.ghi")

        guard case .failure(let error, let transient) = ResponseInterpreter.interpretToken(httpStatus: 200, bytes: RecordedBodies.tokenStatus400.bytes)
        else { Issue.record("HTTP 200 with status 400 and no token must fail"); return }
        #expect(error.reason == .unauthorized)
        #expect(error.providerCode == 400)
        #expect(!transient)

        guard case .failure(let empty, false) = ResponseInterpreter.interpretToken(httpStatus: 200, bytes: #"{"status": 200, "token": ""}"#.bytes)
        else { Issue.record("an empty token must fail"); return }
        #expect(empty.reason == .unauthorized)
        #expect(empty.message.contains("without a token"))

        guard case .failure(let refused, false) = ResponseInterpreter.interpretToken(httpStatus: 401, bytes: [])
        else { Issue.record("401 must fail"); return }
        #expect(refused.reason == .unauthorized)
        #expect(refused.providerCode == 401)

        guard case .failure(let down, true) = ResponseInterpreter.interpretToken(httpStatus: 503, bytes: RecordedBodies.whitelabel.bytes)
        else { Issue.record("503 must be transient"); return }
        #expect(down.reason == .serverError)

        guard case .failure(let status500, true) = ResponseInterpreter.interpretToken(httpStatus: 200, bytes: #"{"status": "500"}"#.bytes)
        else { Issue.record("a body status 500 must be transient"); return }
        #expect(status500.providerCode == 500)
    }
}
