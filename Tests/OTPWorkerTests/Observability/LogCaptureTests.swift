import Testing

@Suite("The tests' secret check")
struct LogCaptureTests {
    @Test("a secret counts where it stands alone, not inside a longer run of letters and digits")
    func tokenBoundaries() {
        #expect(LogCapture.containsToken("code=1055 sent", "1055"))
        #expect(LogCapture.containsToken("1055", "1055"))
        #expect(LogCapture.containsToken("[\"1055\"]", "1055"))
        #expect(!LogCapture.containsToken("otp-worker.w1055 started", "1055"))
        #expect(!LogCapture.containsToken("port 410557", "1055"))
        #expect(LogCapture.containsToken("password: s3cret-pass!", "s3cret-pass!"))
    }
}
