/// Duration texts and their verdicts, one table for the parser's own tests and for every
/// command and control parameter that reads a duration: they must all agree with it.
///
/// Zero is left out: the parser accepts it, but most settings refuse it as meaningless.
public enum DurationExamples {
    /// Texts every reader accepts, with the duration each means.
    public static let accepted: [(String, Duration)] = [
        ("600", .seconds(600)),
        ("1", .seconds(1)),
        ("250ms", .milliseconds(250)),
        ("600s", .seconds(600)),
        ("10m", .seconds(600)),
        ("1h", .seconds(3600)),
        ("0250ms", .milliseconds(250)),
        ("2562047h", .seconds(2_562_047 * 3600)),
        ("9223372036854ms", .milliseconds(9_223_372_036_854)),
    ]

    /// Texts every reader refuses: empty, spaces, signs, fractions, unknown units, compounds,
    /// overflow, digits that are not ASCII.
    public static let refused: [String] = [
        "", " ", " 600", "600 ", "-1", "-5s", "+5s", "1.5s", "1,5s", "1.5", "5d", "5S", "5 s",
        "s", "ms", "10sec", "1h30m", "2562048h", "99999999999999999999", "0x10", "1e3", "٣s",
    ]
}
