import OTPEvents
import Testing

@Suite("otp.submitted decoding", .timeLimit(.minutes(1)))
struct SubmittedDecodingTests {
    @Test("a full submission")
    func full() throws {
        let submission = try Decode.submitted(
            #"{"verificationId":"2893471","code":"00482193","requestId":"r-1","submissionId":"s-1","metadata":{"a":"b"},"x":1}"#
        )
        #expect(submission == OTPSubmitted(verificationId: "2893471", code: "00482193", requestId: "r-1", submissionId: "s-1", metadata: ["a": "b"]))
    }

    @Test("a minimal submission")
    func minimal() throws {
        let submission = try Decode.submitted(#"{"verificationId":"v","code":"0000"}"#)
        #expect(submission.requestId == nil && submission.submissionId == nil && submission.metadata == nil)
    }

    @Test(
        "field rules",
        arguments: [
            ("verificationId", nil, "required"), ("verificationId", "2893471", "type"), ("verificationId", "null", "type"),
            ("code", nil, "required"), ("code", "4821", "type"), ("code", #""12a4""#, "pattern"), ("code", #""123""#, "pattern"),
            ("code", #""123456789""#, "pattern"), ("code", #"" 1234""#, "pattern"), ("code", #""１２３４""#, "pattern"),
            ("requestId", "5", "type"), ("submissionId", "null", "type"), ("submissionId", "{}", "type"),
            ("metadata", #"{"a":{"b":"c"}}"#, "type"), ("metadata", "[]", "type"),
        ] as [(String, String?, String)]
    )
    func fieldRules(field: String, value: String?, rule: String) throws {
        let error = try #require(Decode.error(Decode.submittedJSON(field, value), kind: .submitted))
        #expect(error.field == field)
        #expect(error.rule == rule)
    }

    @Test("a bad code keeps the ids but never the code")
    func partialWithoutCode() throws {
        let error = try #require(
            Decode.error(#"{"verificationId":"v-1","code":"98a7","requestId":"r-1","submissionId":"s-1"}"#, kind: .submitted)
        )
        #expect(error.partial == PartialIdentifiers(requestId: "r-1", verificationId: "v-1", submissionId: "s-1"))
        #expect(!error.message.contains("98a7") && !error.description.contains("98a7"))
        #expect(!"\(error)".contains("98a7") && !String(reflecting: error).contains("98a7"))
    }
}
