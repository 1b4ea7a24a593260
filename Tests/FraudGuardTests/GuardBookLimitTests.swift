import Testing

@testable import FraudGuard

/// Milliseconds since 1970 at which each test starts.
let start: Int64 = 1_800_000_000_000

func destination(_ number: String, country: String = "44") -> GuardDestination {
    GuardDestination(countryCode: country, mobileNumber: number)
}

extension GuardBook {
    func decide(_ number: String, country: String = "44", at now: Int64) -> GuardVerdict {
        decide(countryCode: country, mobileNumber: number, destination: destination(number, country: country), now: now)
    }
}

@Suite("The guard's lists and sliding-window limits, without I/O")
struct GuardBookLimitTests {
    @Test("5 sends per number per 10 minutes: the sixth is RATE_LIMITED with the seconds until the first leaves")
    func numberLimit() {
        var book = GuardBook(policy: GuardPolicy(), now: start)
        for second in 0..<5 {
            let now = start + Int64(second) * 60_000
            #expect(book.decide("7911123456", at: now) == .admit)
            book.reserve(destination("7911123456"), request: UInt64(second), now: now)
        }
        let verdict = book.decide("7911123456", at: start + 300_000)
        guard case .rateLimited(let rule, let seconds, let message) = verdict else {
            Issue.record("expected RATE_LIMITED, got \(verdict)")
            return
        }
        #expect(rule == .numberLimit)
        #expect(seconds == 300, "the first send (at 0) leaves the 10-minute window at 600 s")
        #expect(!message.contains("7911123456") && message.contains("--guard-number-limit"))
        #expect(book.decide("7911123457", at: start + 300_000) == .admit, "another number")
        #expect(book.decide("7911123456", at: start + 600_000) == .admit)
    }

    @Test("an otp.sent read back for a reserved send is not counted twice, nor a re-emission of it")
    func readBackAndReemission() {
        var policy = GuardPolicy()
        policy.numberLimit = RateLimit(count: 2, window: .seconds(600))
        var book = GuardBook(policy: policy, now: start)
        let number = destination("7911123456")
        book.reserve(number, request: SentFact.key("r1"), now: start)
        let sent = SentFact(destination: number, request: SentFact.key("r1"), verification: SentFact.key("v1"), sentAt: start + 200, timeoutSeconds: 60)
        book.noteSent(sent)
        book.noteSent(sent)
        #expect(book.decide("7911123456", at: start + 1_000) == .admit, "one send so far")
        // Another worker's send, read from Kafka.
        book.noteSent(SentFact(destination: number, request: SentFact.key("r2"), verification: SentFact.key("v2"), sentAt: start + 500, timeoutSeconds: 60))
        #expect(book.decide("7911123456", at: start + 1_000).rule == .numberLimit)
    }

    @Test("a reserved send the provider did not make is taken back")
    func release() {
        var policy = GuardPolicy()
        policy.numberLimit = RateLimit(count: 1, window: .seconds(600))
        var book = GuardBook(policy: policy, now: start)
        book.reserve(destination("7911123456"), request: 1, now: start)
        #expect(book.decide("7911123456", at: start + 10).rule == .numberLimit)
        book.release(request: 1)
        #expect(book.decide("7911123456", at: start + 10) == .admit)
    }

    @Test("prefix, country and global limits; the wait is the longest of the limits that refuse")
    func widerLimits() {
        var policy = GuardPolicy()
        policy.numberLimit = nil
        policy.prefixLimit = RateLimit(count: 2, window: .seconds(60))
        policy.countryLimit = RateLimit(count: 3, window: .seconds(120))
        policy.globalLimit = RateLimit(count: 4, window: .seconds(3600))
        var book = GuardBook(policy: policy, now: start)
        book.reserve(destination("7911120001"), request: 1, now: start)
        book.reserve(destination("7911120002"), request: 2, now: start + 1_000)
        #expect(book.decide("7911120003", at: start + 2_000).rule == .prefixLimit, "same prefix 44:791112")
        #expect(book.decide("7911130003", at: start + 2_000) == .admit, "another prefix")
        book.reserve(destination("7911130003"), request: 3, now: start + 2_000)
        guard case .rateLimited(let rule, let seconds, _) = book.decide("7911140001", at: start + 3_000) else {
            Issue.record("expected the country limit")
            return
        }
        #expect(rule == .countryLimit && seconds == 117)
        #expect(book.decide("30000001", country: "49", at: start + 3_000) == .admit)
        book.reserve(destination("30000001", country: "49"), request: 4, now: start + 3_000)
        guard case .rateLimited(let first, let wait, _) = book.decide("7911120009", at: start + 4_000) else {
            Issue.record("expected RATE_LIMITED")
            return
        }
        #expect(first == .prefixLimit, "the first refusing rule in the contract's order is named")
        #expect(wait == 3596, "admitted only when the global limit (1 h) admits too")
    }

    @Test("allow-list and deny-list come first and are SEND_BLOCKED")
    func lists() throws {
        var policy = GuardPolicy()
        policy.allowCountries = try GuardPolicy.parseAllowCountries("44,49")
        policy.denyPrefixes = try GuardPolicy.parseDenyPrefixes("44:70,44:871")
        let book = GuardBook(policy: policy, now: start)
        #expect(book.decide("5551234567", country: "1", at: start).rule == .allowCountries)
        #expect(book.decide("7012345678", at: start).rule == .denyPrefixes)
        #expect(book.decide("8712345678", at: start).rule == .denyPrefixes)
        #expect(book.decide("8722345678", at: start) == .admit)
        guard case .blocked(_, let message) = book.decide("7012345678", at: start) else { return }
        #expect(message.contains("44:70") && !message.contains("7012345678"))
    }
}
