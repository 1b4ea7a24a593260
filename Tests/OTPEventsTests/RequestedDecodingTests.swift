import Foundation
import OTPEvents
import Testing

@Suite("otp.requested decoding", .timeLimit(.minutes(1)))
struct RequestedDecodingTests {
    @Test("a minimal request gets the defaults")
    func defaults() throws {
        let request = try Decode.requested(#"{"requestId":"r-1","countryCode":"91","mobileNumber":"9876543210"}"#)
        #expect(request == OTPRequested(requestId: "r-1", countryCode: "91", mobileNumber: "9876543210"))
        #expect(request.flowType == .sms)
        #expect(request.otpLength == 4)
        #expect(request.requestedAt == nil && request.metadata == nil)
    }

    @Test("every field is read; unknown fields are ignored")
    func fullRequest() throws {
        let request = try Decode.requested(
            #"{"requestId":"r-1","countryCode":"44","mobileNumber":"7700900123","flowType":"RCS","otpLength":8,"#
                + #""requestedAt":"2026-11-26T21:31:02.5+01:30","metadata":{"tenant":"acme"},"future":[1,{"x":null}]}"#
        )
        #expect(request.flowType == .rcs)
        #expect(request.otpLength == 8)
        #expect(request.requestedAt == Date(timeIntervalSince1970: 1_795_723_262.5))
        #expect(request.metadata == ["tenant": "acme"])
    }

    @Test("every flow type is accepted by its raw value", arguments: OTPFlowType.allCases)
    func flowTypes(flowType: OTPFlowType) throws {
        let request = try Decode.requested(Decode.requestedJSON("flowType", "\"\(flowType.rawValue)\""))
        #expect(request.flowType == flowType)
    }

    @Test(
        "field rules",
        arguments: [
            ("requestId", nil, "required"), ("requestId", #""""#, "minLength"),
            ("requestId", "\"\(String(repeating: "x", count: 129))\"", "maxLength"), ("requestId", "7", "type"),
            ("countryCode", nil, "required"), ("countryCode", #""+91""#, "pattern"), ("countryCode", #""12345""#, "pattern"),
            ("countryCode", #""""#, "pattern"), ("countryCode", #""9a""#, "pattern"), ("countryCode", "91", "type"),
            ("mobileNumber", nil, "required"), ("mobileNumber", #""123""#, "pattern"),
            ("mobileNumber", #""1234567890123456""#, "pattern"), ("mobileNumber", #""98765abc10""#, "pattern"),
            ("mobileNumber", #""９８７６５４""#, "pattern"), ("mobileNumber", #""98765\n""#, "pattern"),
            ("mobileNumber", "null", "type"), ("mobileNumber", "[]", "type"),
            ("flowType", #""sms""#, "enum"), ("flowType", #""EMAIL""#, "enum"), ("flowType", "null", "type"), ("flowType", "1", "type"),
            ("otpLength", "4.5", "type"), ("otpLength", #""4""#, "type"), ("otpLength", "true", "type"), ("otpLength", "null", "type"),
            ("otpLength", "3", "minimum"), ("otpLength", "9", "maximum"), ("otpLength", "-4", "minimum"), ("otpLength", "1e300", "maximum"),
            ("requestedAt", #""2026-11-26T20:01:02""#, "format"), ("requestedAt", #""2026-11-26""#, "format"),
            ("requestedAt", #""2026-02-29T00:00:00Z""#, "format"), ("requestedAt", #""2026-11-26T20:01:60Z""#, "format"),
            ("requestedAt", #""2026-11-26T20:01:02.Z""#, "format"), ("requestedAt", #""2026-11-26T20:01:02+0100""#, "format"),
            ("requestedAt", "1795723262", "type"),
            ("metadata", "[]", "type"), ("metadata", #""a=b""#, "type"), ("metadata", #"{"a":1}"#, "type"),
            ("metadata", #"{"a":null}"#, "type"), ("metadata", "null", "type"),
        ] as [(String, String?, String)]
    )
    func fieldRules(field: String, value: String?, rule: String) throws {
        let error = try #require(Decode.error(Decode.requestedJSON(field, value)))
        #expect(error.field == field)
        #expect(error.rule == rule)
        #expect(error.message.hasPrefix("\(field): "))
        #expect(error.reason == "INVALID_EVENT")
    }

    @Test("limits are inclusive", arguments: [
        ("otpLength", "4"), ("otpLength", "8"), ("otpLength", "6.0"), ("otpLength", "6e0"),
        ("countryCode", #""1""#), ("countryCode", #""1234""#), ("mobileNumber", #""1234""#), ("mobileNumber", #""123456789012345""#),
        ("requestId", "\"\(String(repeating: "é", count: 128))\""), ("requestId", #""x""#),
        ("requestedAt", #""2028-02-29t23:59:59.123456789z""#), ("requestedAt", #""2026-11-26T20:01:02-00:00""#),
    ])
    func boundaries(field: String, value: String) throws {
        _ = try Decode.requested(Decode.requestedJSON(field, value))
    }

    @Test("lengths count Unicode scalars, as JSON Schema does")
    func lengthsInScalars() throws {
        let combining = String(repeating: "e\u{301}", count: 64)  // 64 graphemes, 128 scalars
        _ = try Decode.requested(Decode.requestedJSON("requestId", "\"\(combining)\""))
        let error = Decode.error(Decode.requestedJSON("requestId", "\"\(combining)x\""))
        #expect(error?.rule == "maxLength")
    }

    @Test("the first broken field, in contract order, is the one reported")
    func firstErrorWins() throws {
        let error = try #require(Decode.error(#"{"countryCode":"+1","mobileNumber":"x"}"#))
        #expect(error.field == "requestId" && error.rule == "required")
    }

    @Test("ids are echoed even when a rule breaks")
    func partialIdentifiers() throws {
        let error = try #require(Decode.error(#"{"requestId":"r-9","countryCode":"91","mobileNumber":"12","metadata":{"k":"v"}}"#))
        #expect(error.partial == PartialIdentifiers(requestId: "r-9", metadata: ["k": "v"]))
        let overlong = try #require(Decode.error(Decode.requestedJSON("requestId", "\"\(String(repeating: "x", count: 200))\"")))
        #expect(overlong.partial.requestId?.count == 200)
        let badMetadata = try #require(Decode.error(Decode.requestedJSON("metadata", #"{"k":1}"#)))
        #expect(badMetadata.partial.metadata == nil && badMetadata.partial.requestId == "req-1")
    }
}
