import OTPEvents
import Testing

@Suite("Malformed records", .timeLimit(.minutes(1)))
struct MalformedInputTests {
    @Test(
        "document-level faults have no field",
        arguments: [
            ("not json", "notJSON"), ("{", "notJSON"), (#"{"requestId":"r",}"#, "notJSON"), ("{} {}", "notJSON"),
            (#"{'requestId':'r'}"#, "notJSON"), ("\u{FEFF}{}", "notJSON"), (#"{"a":NaN}"#, "notJSON"), (#"{"a":01}"#, "notJSON"),
            (#"{"a":"\ud800"}"#, "notJSON"), ("{\"a\":\"\u{1}\"}", "notJSON"), (#"{"a":1.}"#, "notJSON"), (#"{"a":tru}"#, "notJSON"),
            ("[]", "notObject"), (#"[{"requestId":"r"}]"#, "notObject"), (#""text""#, "notObject"), ("42", "notObject"),
            ("null", "notObject"), ("true", "notObject"),
        ]
    )
    func documentFaults(text: String, rule: String) throws {
        let error = try #require(Decode.error(text))
        #expect(error.field == nil)
        #expect(error.rule == rule)
        #expect(error.partial == PartialIdentifiers())
    }

    @Test("a null value is a tombstone, an empty one is empty")
    func nullAndEmpty() {
        #expect(Decode.error(nil as [UInt8]?)?.rule == "nullValue")
        #expect(Decode.error([] as [UInt8])?.rule == "emptyValue")
        #expect(Decode.error("   ")?.rule == "notJSON")
    }

    @Test("invalid UTF-8 is refused before parsing", arguments: [
        [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF],
    ] as [[UInt8]])
    func invalidUTF8(bad: [UInt8]) {
        let value = Array(#"{"requestId":""#.utf8) + bad + Array(#"","countryCode":"91","mobileNumber":"12345"}"#.utf8)
        #expect(Decode.error(value)?.rule == "invalidUTF8")
    }

    @Test("a 1 MB value is too large, checked before it is read")
    func oneMegabyte() throws {
        let value = [UInt8](repeating: 0xFF, count: 1 << 20)  // not even UTF-8: size comes first
        let error = try #require(Decode.error(value))
        #expect(error.rule == "tooLarge" && error.field == nil)
        #expect(error.message.contains("1048576") && error.message.contains("65536"))
    }

    @Test("the size limit is configurable and inclusive")
    func sizeLimit() throws {
        let json = Array(Decode.requestedJSON("otpLength", "6").utf8)
        let exact = EventDecoder(maxEventBytes: json.count)
        #expect(Decode.error(json, decoder: exact) == nil)
        #expect(Decode.error(json, decoder: EventDecoder(maxEventBytes: json.count - 1))?.rule == "tooLarge")
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(Decode.error(#"{"x":"# + deep + "}")?.rule == "notJSON")
        let fine = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(Decode.error(Decode.requestedJSON("extra", fine)) == nil)
    }

    @Test("escapes decode to the characters they name")
    func escapes() throws {
        let request = try Decode.requested(#"{"requestId":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","countryCode":"\u0039\u0031","mobileNumber":"12345"}"#)
        #expect(request.requestId == "a\"\\/\u{8}\u{C}\n\r\té😀")
        #expect(request.countryCode == "91")
    }

    @Test("duplicate keys keep the last value")
    func duplicateKeys() throws {
        let request = try Decode.requested(#"{"requestId":"first","requestId":"last","countryCode":"91","mobileNumber":"12345"}"#)
        #expect(request.requestId == "last")
    }

    @Test("messages never quote values")
    func messagesWithoutValues() throws {
        let secret = "SECRET7"
        for json in [
            Decode.requestedJSON("requestId", "\"\(String(repeating: secret, count: 30))\""),
            Decode.requestedJSON("countryCode", "\"\(secret)\""), Decode.requestedJSON("flowType", "\"\(secret)\""),
            Decode.requestedJSON("requestedAt", "\"\(secret)\""), Decode.requestedJSON("metadata", #"{"k":"\#(secret)","n":1}"#),
            #"{"\#(secret)": \#(secret)}"#,
        ] {
            let error = try #require(Decode.error(json))
            #expect(!error.message.contains(secret), "\(error.message)")
        }
    }
}
