import Testing

@testable import MessageCentral

@Suite("Provider codes map to reasons", .timeLimit(.minutes(1)))
struct ProviderCodeTests {
    /// The document's table, plus 401 from its FAQ. `transient`: the client retries it itself.
    static let documented: [(code: Int, reason: ProviderFailureReason, transient: Bool)] = [
        (400, .badRequest, false),
        (409, .duplicateResource, false),
        (500, .serverError, true),
        (501, .invalidCustomerID, false),
        (505, .invalidVerificationID, false),
        (506, .requestAlreadyExists, false),
        (511, .invalidCountryCode, false),
        (700, .verificationFailed, false),
        (702, .wrongOTPProvided, false),
        (703, .alreadyVerified, false),
        (705, .verificationExpired, false),
        (800, .maximumLimitReached, false),
    ]

    @Test("200 is the only success")
    func success() {
        #expect(ProviderCode.meaning(of: 200) == .success)
        for code in [201, 204, 202, 703] {
            #expect(ProviderCode.meaning(of: code) != .success, "code \(code)")
        }
    }

    @Test("every documented code has its reason and retry class", arguments: Self.documented.map(\.code))
    func documentedCode(_ code: Int) throws {
        let entry = try #require(Self.documented.first { $0.code == code })
        #expect(ProviderCode.meaning(of: code) == .failure(entry.reason, transient: entry.transient))
        // The display text is the document's.
        let table: [Int: String] = [
            400: "BAD_REQUEST", 409: "DUPLICATE_RESOURCE", 500: "SERVER_ERROR", 501: "INVALID_CUSTOMER_ID",
            505: "INVALID_VERIFICATION_ID", 506: "REQUEST_ALREADY_EXISTS", 511: "INVALID_COUNTRY_CODE",
            700: "VERIFICATION_FAILED", 702: "WRONG_OTP_PROVIDED", 703: "ALREADY_VERIFIED",
            705: "VERIFICATION_EXPIRED", 800: "MAXIMUM_LIMIT_REACHED",
        ]
        #expect(entry.reason.rawValue == table[code])
    }

    @Test("401 and 403 mean the token was refused")
    func unauthorized() {
        #expect(ProviderCode.meaning(of: 401) == .unauthorized)
        #expect(ProviderCode.meaning(of: 403) == .unauthorized)
    }

    @Test("undocumented 5xx are transient server errors; other unknown codes are unexpected")
    func undocumented() {
        for code in [502, 503, 504, 599] {
            #expect(ProviderCode.meaning(of: code) == .failure(.serverError, transient: true), "code \(code)")
        }
        for code in [302, 404, 405, 418, 701, 900, 0, -1] {
            #expect(ProviderCode.meaning(of: code) == .failure(.unexpectedResponse, transient: false), "code \(code)")
        }
    }

    @Test("4xx, 7xx and 8xx are never transient")
    func businessCodesNotTransient() {
        for code in Array(400..<500) + Array(700..<900) {
            if case .failure(_, transient: true) = ProviderCode.meaning(of: code) {
                Issue.record("code \(code) must not be retried")
            }
        }
    }

    @Test("retryable follows the contract")
    func retryable() {
        let retryable: Set<ProviderFailureReason> = [
            .providerUnavailable, .serverError, .unauthorized, .maximumLimitReached, .requestAlreadyExists,
        ]
        for reason in ProviderFailureReason.allCases {
            #expect(reason.isRetryable == retryable.contains(reason), "\(reason)")
            #expect(ProviderError(reason: reason, providerCode: nil, message: "").retryable == retryable.contains(reason))
        }
    }

    @Test("metric labels are the lower-cased display texts")
    func metricLabels() {
        #expect(ProviderFailureReason.wrongOTPProvided.metricLabel == "wrong_otp_provided")
        let labels = Set(ProviderFailureReason.allCases.map(\.metricLabel))
        #expect(labels.count == ProviderFailureReason.allCases.count)
        for label in labels {
            #expect(label.allSatisfy { $0.isLowercase || $0 == "_" }, "\(label)")
        }
    }
}
