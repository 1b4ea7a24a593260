import Kafka
import Testing

@Suite("Kafka headers")
struct KafkaHeaderTests {
    @Test("a header made from a string equals one made from its UTF-8 bytes, and hashes the same")
    func stringAndBytesAgree() {
        let fromString = KafkaHeader(name: "ce_time", string: "2026-11-27T15:00:00.000Z")
        let fromBytes = KafkaHeader(name: "ce_time", value: Array("2026-11-27T15:00:00.000Z".utf8))
        #expect(fromString == fromBytes)
        #expect(fromBytes == fromString)
        #expect(fromString.hashValue == fromBytes.hashValue)
        #expect(Set([fromString, fromBytes]).count == 1)
        #expect(fromString.value == fromBytes.value)
        #expect(fromString.stringValue == "2026-11-27T15:00:00.000Z")
    }

    @Test("an empty string is an empty value, not a null one")
    func emptyStringIsNotNull() {
        let empty = KafkaHeader(name: "h", string: "")
        #expect(empty.value == [])
        #expect(empty == KafkaHeader(name: "h", value: []))
        #expect(empty != KafkaHeader(name: "h", value: nil))
        #expect(empty.stringValue == "")
    }

    @Test("strings compare by their bytes: canonically equivalent spellings are different headers")
    func stringsCompareByBytes() {
        // "é" precomposed and as e + combining acute: equal as Swift strings, not as bytes.
        let precomposed = KafkaHeader(name: "h", string: "\u{E9}")
        let decomposed = KafkaHeader(name: "h", string: "e\u{301}")
        #expect(precomposed != decomposed)
        #expect(precomposed != KafkaHeader(name: "h", value: Array("e\u{301}".utf8)))
    }

    @Test("setting the value replaces it, whatever the header was made from")
    func settingTheValue() {
        var header = KafkaHeader(name: "h", string: "old")
        header.value = [1, 2]
        #expect(header.value == [1, 2])
        #expect(header == KafkaHeader(name: "h", value: [1, 2]))
        header.value = nil
        #expect(header.value == nil)
        #expect(header.stringValue == nil)
    }
}
