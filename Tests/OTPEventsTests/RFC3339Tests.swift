import Foundation
import OTPEvents
import Testing

@Suite("RFC 3339 timestamps", .timeLimit(.minutes(1)))
struct RFC3339Tests {
    @Test("formatting is UTC with milliseconds, truncated", arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"), (1_795_723_262.345, "2026-11-26T20:01:02.345Z"),
        (1_795_723_262.3459, "2026-11-26T20:01:02.345Z"), (951_782_400, "2000-02-29T00:00:00.000Z"),
        (-0.001, "1969-12-31T23:59:59.999Z"), (4_102_444_799.999, "2099-12-31T23:59:59.999Z"),
    ])
    func format(seconds: Double, text: String) {
        #expect(RFC3339.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test("parsing honours offsets and fractions")
    func parse() {
        #expect(RFC3339.parse("2026-11-26T20:01:02Z") == Date(timeIntervalSince1970: 1_795_723_262))
        #expect(RFC3339.parse("2026-11-27T01:31:02+05:30") == Date(timeIntervalSince1970: 1_795_723_262))
        #expect(RFC3339.parse("2026-11-26T15:01:02.25-05:00") == Date(timeIntervalSince1970: 1_795_723_262.25))
        #expect(RFC3339.parse("2026-11-26t20:01:02z") == Date(timeIntervalSince1970: 1_795_723_262))
    }

    @Test("parse and format agree", arguments: [0.0, 1_795_723_262.345, 951_782_400.001, 1_234_567_890.5])
    func roundTrip(seconds: Double) throws {
        let text = RFC3339.format(Date(timeIntervalSince1970: seconds))
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test("non-RFC 3339 text is refused", arguments: [
        "", "2026-11-26", "2026-11-26T20:01:02", "2026-11-26 20:01:02Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",
        "2100-02-29T00:00:00Z", "2026-11-26T20:61:02Z", "2026-11-26T20:01:02.Z", "2026-11-26T20:01:02+01", "2026-11-26T20:01:02+24:00",
        "26-11-26T20:01:02Z", "2026-11-26T20:01:02Zjunk", "２026-11-26T20:01:02Z",
    ])
    func refused(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
