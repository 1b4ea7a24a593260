import Foundation
import JSON
import NIOCore
import Testing

/// The parser every production module reads JSON with: events, provider answers and
/// idempotency records. The event decoder's rules on top of it are in `OTPEventsTests`.
@Suite("JSON parser", .timeLimit(.minutes(1)))
struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? { JSONValue(parsing: Array(text.utf8)) }

    @Test("values of every kind, nested, with whitespace around")
    func kinds() {
        let value = parse(#" {"a": [1, -2, 3.5, -0.25e2, 1E3, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        let expected: JSONValue = .object([
            "a": .array([.integer(1), .integer(-2), .double(3.5), .double(-25), .double(1000), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]),
            "e": .string(""),
        ])
        #expect(value == expected)
        #expect(parse("7") == .integer(7))
        #expect(parse(#""x""#) == .string("x"))
        #expect(parse("[]") == .array([]))
        #expect(parse("{}") == .object([:]))
    }

    @Test("integers keep every digit up to Int64; beyond, a double")
    func largeNumbers() {
        #expect(parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(parse("-9223372036854775808") == .integer(.min))
        #expect(parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        // Either side of the 18 digits read without a string.
        #expect(parse("999999999999999999") == .integer(999_999_999_999_999_999))
        #expect(parse("-99999999999999999") == .integer(-99_999_999_999_999_999))
        #expect(parse("1000000000000000000") == .integer(1_000_000_000_000_000_000))
        #expect(parse("-0") == .integer(0))
        #expect(parse("0") == .integer(0))
        #expect(parse("-") == nil)
        #expect(parse("01") == nil)
    }

    @Test("a ByteBuffer's bytes parse in place, as the client reads answers")
    func byteBufferView() {
        let buffer = ByteBuffer(string: #"{"responseCode":200,"data":{"verificationId":"1234","timeout":"60"}}"#)
        #expect(JSONValue(parsing: buffer.readableBytesView) == .object([
            "responseCode": .integer(200),
            "data": .object(["verificationId": .string("1234"), "timeout": .string("60")]),
        ]))
    }

    @Test("escapes, including surrogate pairs, decode to the same text Foundation reads")
    func escapes() throws {
        let text = #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? String
        #expect(parse(text) == .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀"))
        #expect(parse(text) == foundation.map(JSONValue.string))
        #expect(parse(#""é😀""#) == .string("é😀"), "raw UTF-8 passes through")
    }

    @Test("what is not exactly one JSON value is refused", arguments: [
        "", " ", "<html><body>502 Bad Gateway</body></html>", "{", "[1,]", #"{"a":1,}"#, "{'a':1}", #"{"a" 1}"#,
        "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "True", #""abc"#, "\"tab\there\"", #""\x""#, #""\u12""#,
        #""\ud83d""#, #""\ud83d\u0041""#, "1 2", #"{"a":1} x"#, "[1 2]", "\u{FEFF}{}", "NaN", "Infinity",
    ])
    func refused(_ text: String) {
        #expect(parse(text) == nil, "accepted \(text)")
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22] as [UInt8]) == nil)
    }

    @Test("nesting is bounded: deep input is refused, not a stack overflow")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parse(deep) == nil)
        let limit = JSONParser.maximumDepth
        #expect(parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) != nil)
        #expect(parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)) == nil)
    }

    @Test("an error names the offset of the first byte that does not fit")
    func errorOffset() {
        let bytes = Array(#"{"a":1,}"#.utf8)
        #expect(throws: JSONParseError(message: "expected a key", offset: 7)) { try JSONParser.parse(bytes) }
    }

    @Test("a key given twice keeps its last value")
    func duplicateKeys() {
        #expect(parse(#"{"a":1,"a":2}"#) == .object(["a": .integer(2)]))
    }
}
