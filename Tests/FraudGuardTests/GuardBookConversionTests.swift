import Testing

@testable import FraudGuard

@Suite("The conversion rule: unverified codes block a prefix or a country until it recovers")
struct GuardBookConversionTests {
    func policy(share: Double = 0.2, sample: Int = 10) -> GuardPolicy {
        var policy = GuardPolicy()
        policy.numberLimit = nil
        policy.minConversion = ConversionRule(minimumShare: share, window: .seconds(3600), minimumSample: sample)
        return policy
    }

    func sent(_ number: String, _ index: Int, at milliseconds: Int64, country: String = "44") -> SentFact {
        SentFact(destination: destination(number, country: country), request: SentFact.key("r\(index)"),
                 verification: SentFact.key("v\(index)"), sentAt: milliseconds, timeoutSeconds: 60)
    }

    @Test("pending codes are not failures; once the sample expired unverified the prefix is blocked")
    func pumping() {
        var book = GuardBook(policy: policy(), now: start, verificationGrace: .seconds(2))
        for index in 0..<10 { book.noteSent(sent("79111200\(10 + index)", index, at: start + Int64(index) * 100)) }
        #expect(book.advance(now: start + 61_000).isEmpty, "none expired yet: 60 s plus the grace")
        #expect(book.decide("7911120099", at: start + 61_000) == .admit)
        let transitions = book.advance(now: start + 63_000)
        #expect(transitions.contains { $0.rule == .prefixConversion && $0.blocked && $0.key.description == "44:791112" && $0.expired == 10 })
        #expect(transitions.contains { $0.rule == .countryConversion && $0.blocked && $0.key.description == "44" })
        guard case .blocked(let rule, let message) = book.decide("7911120099", at: start + 63_000) else {
            Issue.record("expected SEND_BLOCKED")
            return
        }
        #expect(rule == .prefixConversion)
        #expect(message.contains("0 of 10") && message.contains("44:791112"))
    }

    @Test("verified codes keep the share up; one verified before its send is read still counts")
    func verifiedKeepsItOpen() {
        var book = GuardBook(policy: policy(), now: start)
        for index in 0..<10 {
            let fact = sent("79111200\(10 + index)", index, at: start)
            if index < 3 {
                if index == 0 { book.noteVerified(fact.verification, at: start + 5_000) }
                book.noteSent(fact)
                if index > 0 { book.noteVerified(fact.verification, at: start + 5_000) }
            } else {
                book.noteSent(fact)
            }
        }
        #expect(book.advance(now: start + 70_000).isEmpty, "3 of 10 verified is above 0.2")
        #expect(book.decide("7911120099", at: start + 70_000) == .admit)
    }

    @Test("a blocked prefix recovers when its failures leave the window, and says so")
    func recovery() {
        var book = GuardBook(policy: policy(), now: start)
        for index in 0..<10 { book.noteSent(sent("79111200\(10 + index)", index, at: start)) }
        #expect(!book.advance(now: start + 63_000).isEmpty)
        #expect(book.decide("7911120099", at: start + 63_000).rule == .prefixConversion)
        let later = start + 63_000 + 3_600_000
        let transitions = book.advance(now: later)
        #expect(transitions.contains { $0.rule == .prefixConversion && !$0.blocked })
        #expect(book.decide("7911120099", at: later) == .admit)
    }

    @Test("under the minimum sample nothing is judged, however bad the share")
    func minimumSample() {
        var book = GuardBook(policy: policy(sample: 30), now: start)
        for index in 0..<29 { book.noteSent(sent("7911\(100_000 + index)", index, at: start)) }
        #expect(book.advance(now: start + 70_000).isEmpty)
        #expect(book.decide("7911999999", at: start + 70_000) == .admit)
    }

    @Test("the worst shares are listed with their keys, lowest first")
    func worst() {
        var book = GuardBook(policy: policy(sample: 2), now: start)
        for index in 0..<4 { book.noteSent(sent("7911\(100_000 + index)", index, at: start)) }
        for index in 4..<8 {
            let fact = sent("8911\(100_000 + index)", index, at: start)
            book.noteSent(fact)
            if index < 6 { book.noteVerified(fact.verification, at: start + 1_000) }
        }
        _ = book.advance(now: start + 70_000)
        #expect(book.worstPrefixes.map(\.key.description) == ["44:791110", "44:891110"])
        #expect(book.worstPrefixes.map(\.share) == [0, 0.5])
        #expect(book.worstPrefixes.first?.blocked == true)
    }
}
