import Testing

@testable import MessageCentral

@Suite("Redaction and masking", .timeLimit(.minutes(1)))
struct RedactionTests {
    /// Every way a value can be turned into text.
    func renderings(_ value: some Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped, "\(Mirror(reflecting: value).children.map { "\($0.value)" })"]
    }

    @Test("a Secret never shows its value")
    func secret() {
        let secret = Secret("hunter2-4711")
        for text in self.renderings(secret) + self.renderings([secret]) + self.renderings(Optional(secret)) {
            #expect(!text.contains("hunter2"), "leaked: \(text)")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(secret.revealed == "hunter2-4711")
    }

    @Test("a configuration never shows the password or the key")
    func configuration() {
        let configuration = MessageCentralConfiguration(customerID: "C-1", password: Secret("s3cr3t-pass"))
        let key = configuration.key.revealed
        for text in self.renderings(configuration) + self.renderings(configuration.key) {
            #expect(!text.contains("s3cr3t"), "leaked: \(text)")
            #expect(!text.contains(key), "leaked key: \(text)")
        }
    }

    @Test("a validate request never shows the code")
    func validateRequest() {
        let request = ValidateRequest(verificationId: "42", code: Secret("918273"))
        for text in self.renderings(request) {
            #expect(!text.contains("918273"), "leaked: \(text)")
        }
        #expect(request.description.contains("42"))
    }

    @Test("phone numbers keep the country code and 2-4 trailing digits", arguments: [
        ("91", "9876543210", "+91******3210"),
        ("1", "415555019", "+1******019"),
        ("44", "71234567", "+44*****567"),
        ("49", "123456", "+49****56"),
        ("7", "1234", "+7****"),
    ])
    func mask(countryCode: String, number: String, expected: String) {
        #expect(PhoneNumberMask.mask(countryCode: countryCode, nationalNumber: number) == expected)
    }

    @Test("send requests and results describe and dump the number masked")
    func sendTypes() {
        let request = SendRequest(countryCode: "91", mobileNumber: "9876543210", flowType: .whatsApp, otpLength: 6)
        let result = SendResult(verificationId: "1", timeoutSeconds: 60, transactionId: nil, countryCode: "91", mobileNumber: "9876543210")
        for text in self.renderings(request) + self.renderings(result) {
            #expect(!text.contains("9876543210"), "leaked: \(text)")
            #expect(!text.contains("987654"), "leaked a prefix: \(text)")
        }
        #expect(request.description.contains("+91******3210"))
        #expect(result.description.contains("+91******3210"))
    }

    @Test("error messages from recorded answers hold no code, token or number")
    func errorMessages() {
        let request = SendRequest(countryCode: "91", mobileNumber: "9876543210")
        let bodies = [
            #"{"responseCode": 702, "data": {"mobileNumber": "9876543210", "errorMessage": "code 918273 is wrong"}}"#,
            #"{"responseCode": 200, "data": {"verificationStatus": "code 918273", "mobileNumber": "9876543210"}}"#,
            #"{"status": 400, "token": null, "message": "key c2VjcmV0 invalid"}"#,
        ]
        for body in bodies {
            var messages: [String] = []
            if case .failure(let error, _) = ResponseInterpreter.interpretSend(httpStatus: 200, bytes: body.bytes, request: request) {
                messages.append(error.description)
            }
            if case .failure(let error, _) = ResponseInterpreter.interpretValidate(
                httpStatus: 200, bytes: body.bytes, request: ValidateRequest(verificationId: "1", code: Secret("918273"))
            ) {
                messages.append(error.description)
            }
            if case .failure(let error, _) = ResponseInterpreter.interpretToken(httpStatus: 200, bytes: body.bytes) {
                messages.append(error.description)
            }
            #expect(!messages.isEmpty)
            for message in messages {
                for secret in ["918273", "9876543210", "c2VjcmV0"] {
                    #expect(!message.contains(secret), "leaked \(secret): \(message)")
                }
            }
        }
    }
}
