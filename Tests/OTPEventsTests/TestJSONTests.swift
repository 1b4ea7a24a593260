import Testing

@Suite("Test witnesses", .timeLimit(.minutes(1)))
struct TestWitnessTests {
    @Test("the test-side JSON check refuses trailing commas, which Foundation accepts")
    func trailingCommas() {
        #expect(TestJSON.hasTrailingComma(Array(#"{"a":"x,}", "b":[1,2,],}"#.utf8)))
        #expect(!TestJSON.hasTrailingComma(Array(#"{"a":"x,}", "b":[1,2]}"#.utf8)))
        #expect(!TestJSON.hasTrailingComma(Array(#"{"a":"\",]"}"#.utf8)))
    }
}
