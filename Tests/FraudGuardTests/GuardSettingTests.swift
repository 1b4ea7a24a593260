import Testing

@testable import FraudGuard

@Suite("The guard's flags: limits, the conversion rule, the lists, packed prefixes")
struct GuardSettingTests {
    @Test("limits and the conversion rule parse, or say what is expected")
    func parsing() throws {
        #expect(try RateLimit.parse("5/10m", flag: "--guard-number-limit") == RateLimit(count: 5, window: .seconds(600)))
        #expect(try RateLimit.parse("off", flag: "--guard-number-limit") == nil)
        #expect(try ConversionRule.parse("0.2/1h/30", flag: "--guard-min-conversion")
                == ConversionRule(minimumShare: 0.2, window: .seconds(3600), minimumSample: 30))
        for bad in ["5", "0/10m", "5/10", "5/10x", "-1/1h", "5/0s", "5/500ms", "five/1h", "5/1h/2", ""] where bad != "5/10" {
            #expect(throws: GuardSettingError.self, "\(bad)") { try RateLimit.parse(bad, flag: "--guard-number-limit") }
        }
        for bad in ["1.5/1h/30", "0.2/1h", "0.2/1h/0", "nan/1h/30", "0.2/1y/30", "-0.1/1h/3"] {
            #expect(throws: GuardSettingError.self, "\(bad)") { try ConversionRule.parse(bad, flag: "--guard-min-conversion") }
        }
        let error = try #require(throws: GuardSettingError.self) { try RateLimit.parse("5/10x", flag: "--guard-number-limit") }
        #expect(error.description.hasPrefix("--guard-number-limit '5/10x': expected COUNT/DURATION"))
    }

    @Test("country and prefix lists parse, or say what is expected")
    func lists() throws {
        #expect(try GuardPolicy.parseAllowCountries("44,49,1") == ["44", "49", "1"])
        #expect(try GuardPolicy.parseAllowCountries("all") == nil)
        #expect(try GuardPolicy.parseDenyPrefixes("44:70,44:871").map(\.description) == ["44:70", "44:871"])
        for bad in ["+44", "44,", "12345", "4a"] {
            #expect(throws: GuardSettingError.self) { try GuardPolicy.parseAllowCountries(bad) }
        }
        for bad in ["4470", "44:", ":70", "44:7a", "44:70,"] {
            #expect(throws: GuardSettingError.self) { try GuardPolicy.parseDenyPrefixes(bad) }
        }
    }

    @Test("a prefix keeps its leading zeros and shows as CC:digits")
    func packed() {
        let destination = GuardDestination(countryCode: "44", mobileNumber: "07911123456")
        #expect(destination.prefix.description == "44:0791112")
        #expect(destination.country.description == "44")
        #expect(GuardDestination(countryCode: "1", mobileNumber: "5551").prefix.description == "1")
        #expect(GuardDestination(countryCode: "44", mobileNumber: "7911123456").number
                != GuardDestination(countryCode: "447", mobileNumber: "911123456").number)
        #expect(GuardPolicy().lookback == .seconds(3600))
    }
}
