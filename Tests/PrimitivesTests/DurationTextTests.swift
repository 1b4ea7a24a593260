import Primitives
import TestSupport
import Testing

/// The one duration syntax: what it accepts, what it refuses, and what a refusal says.
@Suite("Duration texts: a whole number of seconds, or with a unit ms, s, m or h")
struct DurationTextTests {
    @Test("accepted texts mean what they say", arguments: DurationExamples.accepted)
    func accepted(text: String, duration: Duration) throws {
        #expect(try DurationText.parse(text) == duration)
    }

    @Test("refused texts throw an error that quotes them and states the rule", arguments: DurationExamples.refused)
    func refused(text: String) {
        let error = #expect(throws: DurationTextError.self) { try DurationText.parse(text) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("'\(text)' is not a duration") && message.hasSuffix("write \(DurationText.rule)"), "\(message)")
    }

    @Test("zero is a duration; settings that need more refuse it themselves")
    func zero() throws {
        #expect(try DurationText.parse("0") == .zero)
        #expect(try DurationText.parse("0ms") == .zero)
    }

    @Test("the longest duration accepted is the maximum, one more unit overflows")
    func longest() throws {
        #expect(try DurationText.parse("9223372036s") <= DurationText.maximum)
        for text in ["9223372037s", "9223372036854775807ms", "9223372036854775808"] {
            #expect(throws: DurationTextError(text: text, problem: .tooLong)) { try DurationText.parse(text) }
        }
    }

    @Test(
        "a refusal says what is wrong when it can tell",
        arguments: [
            ("-5s", DurationTextError.Problem.negative), ("1.5s", .fraction), ("1,5s", .fraction),
            ("5d", .unknownUnit("d")), ("5S", .unknownUnit("S")), ("10sec", .unknownUnit("sec")),
            ("2562048h", .tooLong), ("", .malformed), ("5 s", .malformed), ("+5s", .malformed),
        ] as [(String, DurationTextError.Problem)]
    )
    func problems(text: String, problem: DurationTextError.Problem) {
        #expect(throws: DurationTextError(text: text, problem: problem)) { try DurationText.parse(text) }
    }

    @Test("the message names the problem")
    func messages() {
        #expect("\(DurationTextError(text: "5d", problem: .unknownUnit("d")))"
            == "'5d' is not a duration ('d' is not a unit): write a whole number of seconds (600) or a whole number with a unit ms, s, m or h (250ms, 600s, 10m, 1h)")
        #expect("\(DurationTextError(text: "-1", problem: .negative))".hasPrefix("'-1' is not a duration (it is negative): "))
    }
}
