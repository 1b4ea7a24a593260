import Foundation
import OTPEvents
import Testing

@Suite("The code never shows", .timeLimit(.minutes(1)))
struct RedactionTests {
    static let code = "90817263"
    static let submission = OTPSubmitted(verificationId: "v-1", code: code, requestId: "r-1", submissionId: "s-1", metadata: ["k": "v"])

    @Test("description, debugDescription, interpolation, Mirror and dump mask the code")
    func submitted() {
        var dumped = ""
        dump(Self.submission, to: &dumped)
        let renderings = [
            Self.submission.description, Self.submission.debugDescription, "\(Self.submission)",
            String(reflecting: Self.submission), dumped,
            "\(OTPInput.submitted(Self.submission))", String(reflecting: OTPInput.submitted(Self.submission)),
            "\(DecodedInput(input: .submitted(Self.submission), context: InputContext()))",
            Mirror(reflecting: Self.submission).children.map { "\($0.value)" }.joined(),
        ]
        for text in renderings {
            #expect(!text.contains(Self.code), "\(text)")
        }
        #expect(Self.submission.description.contains("v-1") && Self.submission.description.contains("<redacted>"))
    }

    @Test("errors about a bad code do not carry it")
    func decodingErrors() throws {
        for code in ["9081726a", "908172639", "908"] {
            let json = #"{"verificationId":"v-1","code":"\#(code)","requestId":"r-1"}"#
            let error = try #require(Decode.error(json, kind: .submitted))
            var dumped = ""
            dump(error, to: &dumped)
            for text in [error.message, error.description, "\(error)", String(reflecting: error), dumped] {
                #expect(!text.contains(code), "\(text)")
            }
        }
    }
}
