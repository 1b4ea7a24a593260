import Hummingbird
import Logging

/// The three emulated endpoints. Checks run in the order a Spring service
/// applies them: authentication, then parameter binding (400), then the
/// business rules (501, 511, 800, 506 for a send; 505, 7xx for a validation).
extension SandboxResponder {
    func issueToken(_ query: QueryParameters, logger: Logger) -> Response {
        guard let customerID = query.nonEmpty("customerId"), let key = query.nonEmpty("key") else {
            return ProviderResponses.tokenRefusal(.badRequest, httpStatus: 400)
        }
        // `scope` is optional, and the FAQ says it is always NEW.
        if let scope = query["scope"], scope != "NEW" {
            return ProviderResponses.tokenRefusal(.badRequest, httpStatus: 400)
        }
        switch state.issueToken(customerID: customerID, key: key) {
        case .issued(let token):
            logger.info("token issued", metadata: [SandboxLogKey.customerID: "\(customerID)"])
            return ProviderResponses.token(token)
        case .unknownCustomer:
            logger.notice("token refused", metadata: [
                SandboxLogKey.customerID: "\(customerID)", SandboxLogKey.reason: "unknown customer id",
            ])
            // Same live quirk as a wrong key: HTTP 200, the code in `status`, no token.
            return ProviderResponses.tokenRefusal(.invalidCustomerID, httpStatus: 200)
        case .wrongKey:
            logger.notice("token refused", metadata: [
                SandboxLogKey.customerID: "\(customerID)", SandboxLogKey.reason: "wrong key",
            ])
            return ProviderResponses.tokenRefusal(.badRequest, httpStatus: 200)
        }
    }

    /// The subject of the request's token, or `nil` when the call must be answered 401.
    private func subject(of authToken: String?, logger: Logger) -> String? {
        let verdict = state.authenticate(authToken)
        guard case .valid(let subject) = verdict else {
            logger.notice("unauthorized", metadata: [SandboxLogKey.reason: "\(verdict)"])
            return nil
        }
        return subject
    }

    private static let flowTypes: Set<String> = ["SMS", "WHATSAPP", "RCS", "SAUTH"]

    func send(_ query: QueryParameters, authToken: String?, logger: Logger) -> Response {
        guard let subject = subject(of: authToken, logger: logger) else {
            return ProviderResponses.envelope(.unauthorized)
        }
        guard
            let countryCode = query.nonEmpty("countryCode"),
            let customerID = query.nonEmpty("customerId"),
            let flowType = query.nonEmpty("flowType"),
            let mobileNumber = query.nonEmpty("mobileNumber"),
            Self.flowTypes.contains(flowType),
            (4...15).contains(mobileNumber.count), mobileNumber.allSatisfy(\.isASCIIDigit)
        else {
            return ProviderResponses.envelope(.badRequest)
        }
        var otpLength = 4
        if let text = query.nonEmpty("otpLength") {
            guard let value = Int(text), (4...8).contains(value) else { return ProviderResponses.envelope(.badRequest) }
            otpLength = value
        }
        guard customerID == subject else { return ProviderResponses.envelope(.invalidCustomerID) }
        guard CountryCallingCodes.isKnown(countryCode) else { return ProviderResponses.envelope(.invalidCountryCode) }

        var logger = logger
        logger[metadataKey: SandboxLogKey.phone] = .phone(countryCode: countryCode, number: mobileNumber)
        let request = VerificationStore.SendRequest(
            customerID: customerID, countryCode: countryCode, mobileNumber: mobileNumber, otpLength: otpLength
        )
        let answer = state.send(request)
        switch answer.outcome {
        case .sent(let verification):
            logger.info("code sent", metadata: [SandboxLogKey.verificationID: "\(verification.id)"])
            return ProviderResponses.sent(verification, timeout: state.configuration.otpTimeout)
        case .limitReached:
            logger.notice("send refused", metadata: [SandboxLogKey.code: "800"])
            return ProviderResponses.envelope(.maximumLimitReached)
        case .alreadyPending(let pending):
            logger.notice("send refused", metadata: [
                SandboxLogKey.code: "506", SandboxLogKey.verificationID: "\(pending.id)",
            ])
            guard answer.pendingNamesVerification else { return ProviderResponses.envelope(.requestAlreadyExists) }
            return ProviderResponses.alreadyPending(pending, remaining: pending.remaining(at: answer.now))
        }
    }

    func validate(_ query: QueryParameters, authToken: String?, logger: Logger) -> Response {
        guard let subject = subject(of: authToken, logger: logger) else {
            return ProviderResponses.envelope(.unauthorized)
        }
        // verificationId is typed Long: anything that is not one fails binding, as in Spring.
        guard
            let idText = query.nonEmpty("verificationId"), idText.allSatisfy(\.isASCIIDigit), let id = Int64(idText),
            let code = query.nonEmpty("code")
        else {
            return ProviderResponses.envelope(.badRequest)
        }
        let outcome = state.validate(id: id, code: code, customerID: subject)
        let (providerCode, verification): (ProviderCode, VerificationStore.Verification?) = switch outcome {
        case .verified(let v): (.success, v)
        case .wrongCode(let v): (.wrongOTP, v)
        case .failed(let v): (.verificationFailed, v)
        case .expired(let v): (.verificationExpired, v)
        case .alreadyVerified(let v): (.alreadyVerified, v)
        case .unknown: (.invalidVerificationID, nil)
        }
        logger.info("validated", metadata: [
            SandboxLogKey.verificationID: "\(id)", SandboxLogKey.code: "\(providerCode.rawValue)",
        ])
        guard let verification else { return ProviderResponses.envelope(providerCode) }
        return ProviderResponses.validated(providerCode, verification)
    }
}
