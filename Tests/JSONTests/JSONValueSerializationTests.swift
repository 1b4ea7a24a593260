import Foundation
import JSON
import Testing

/// `JSONValue(parsing:)` and `serialized()` replace Foundation's `JSONSerialization` in the
/// worker; Foundation stays the oracle here.
@Suite("JSON values: parse and serialize", .timeLimit(.minutes(1)))
struct JSONValueSerializationTests {
    static let documents = [
        #"{"b":1,"a":[true,false,null],"c":{"z":"x","y":-2.5}}"#,
        #"{"text":"quote \" backslash \\ newline \n tab \t bell \u0007 slash / é 😀"}"#,
        #"[1, 4.0, 1e3, -0.125, 9007199254740991, 12345678901234567890]"#,
        #"{"empty":{},"list":[],"nested":[[{"k":[]}]]}"#,
    ]

    @Test("a serialized value reads back as the same document", arguments: documents)
    func roundTrip(document: String) throws {
        let value = try #require(JSONValue(parsing: Array(document.utf8)))
        let serialized = Data(value.serialized())
        let expected = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? NSObject
        let actual = try JSONSerialization.jsonObject(with: serialized) as? NSObject
        #expect(actual == expected, "\(String(decoding: serialized, as: UTF8.self))")
        #expect(JSONValue(parsing: value.serialized()) == value)
    }

    @Test("the form is compact, keys sorted, integers without a fraction, slashes unescaped")
    func canonicalForm() throws {
        let value = try #require(JSONValue(parsing: Array(#"{ "b" : [ 4.0 , 0.5 ], "a" : "x/y\u0001" }"#.utf8)))
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":"x/y\u0001","b":[4,0.5]}"#)
    }

    @Test("text that is not one JSON document gives nil", arguments: ["", "{", #"{"a":1} x"#, "nul", #"{"a":01}"#])
    func notJSON(text: String) {
        #expect(JSONValue(parsing: Array(text.utf8)) == nil)
    }
}
