/// Turns one HTTP answer (status and body) into a typed outcome.
///
/// Pure: no I/O, no clock, tested on recorded bodies. The result code is read
/// from the body's `responseCode`, then `data.responseCode`, then the HTTP
/// status, because the provider has been seen answering HTTP 400 with 506 in
/// the body.
enum ResponseInterpreter {
    /// What one answer means for the call that got it.
    enum Outcome<Success: Sendable>: Sendable {
        /// The call succeeded.
        case success(Success)
        /// The token was refused (401/403): refresh it once and retry once.
        case tokenRefused(providerCode: Int)
        /// The call failed; `transient` failures are retried within the deadline.
        case failure(ProviderError, transient: Bool)
    }

    /// The code that decides an answer and where it came from.
    struct Classification: Sendable {
        var code: Int
        var meaning: ProviderCode.Meaning
        var body: ProviderResponseBody
        /// Set when the body is not JSON; explains what it was instead.
        var nonJSONNote: String?
    }

    /// Reads the deciding code of an answer.
    ///
    /// A body that is not JSON cannot carry a provider code, so a 5xx status with
    /// such a body is a gateway or server failure whatever its number: 501 or 505
    /// from a proxy must not be read as `INVALID_CUSTOMER_ID` or `INVALID_VERIFICATION_ID`.
    static func classify(httpStatus: Int, bytes: some Collection<UInt8>) -> Classification {
        let body = ProviderResponseBody(bytes: bytes)
        guard body.isJSONObject else {
            let note = ProviderResponseBody.isWhitelabelPage(bytes)
                ? "HTML Whitelabel error page (wrong base URL or path?)"
                : (bytes.isEmpty ? "empty body" : "body is not JSON")
            let meaning: ProviderCode.Meaning =
                (500..<600).contains(httpStatus)
                ? .failure(.serverError, transient: true)
                : ProviderCode.meaning(of: httpStatus)
            return Classification(code: httpStatus, meaning: meaning, body: body, nonJSONNote: note)
        }
        let code = body.responseCode ?? body.dataResponseCode ?? httpStatus
        return Classification(code: code, meaning: ProviderCode.meaning(of: code), body: body, nonJSONNote: nil)
    }

    /// Interprets a `send` answer.
    ///
    /// Success needs code 200 and a verification id; a 200 without an id is
    /// `UNEXPECTED_RESPONSE` and is not retried (the code may have gone out).
    /// A 506 that names the pending verification is a success too, marked
    /// ``SendResult/resumed``: the user already holds that verification's code, so
    /// failing would tell the backend a delivered code failed (a send repeated after
    /// a crash meets exactly this). A 506 without an id stays `REQUEST_ALREADY_EXISTS`.
    static func interpretSend(
        httpStatus: Int,
        bytes: some Collection<UInt8>,
        request: SendRequest
    ) -> Outcome<SendResult> {
        let classification = self.classify(httpStatus: httpStatus, bytes: bytes)
        switch classification.meaning {
        case .success:
            guard let verificationId = classification.body.verificationId else {
                return .failure(
                    self.unexpected(classification, detail: "send succeeded without a verificationId"),
                    transient: false
                )
            }
            return .success(self.sendResult(verificationId, classification, request, resumed: false))
        case .unauthorized:
            return .tokenRefused(providerCode: classification.code)
        case .failure(.requestAlreadyExists, _):
            guard let verificationId = classification.body.verificationId else {
                return .failure(self.error(.requestAlreadyExists, classification), transient: false)
            }
            return .success(self.sendResult(verificationId, classification, request, resumed: true))
        case .failure(let reason, let transient):
            return .failure(self.error(reason, classification), transient: transient)
        }
    }

    /// The result of a send whose answer names `verificationId`.
    private static func sendResult(
        _ verificationId: String, _ classification: Classification, _ request: SendRequest, resumed: Bool
    ) -> SendResult {
        SendResult(
            verificationId: verificationId,
            timeoutSeconds: classification.body.timeoutSeconds,
            transactionId: classification.body.transactionId,
            countryCode: request.countryCode,
            mobileNumber: request.mobileNumber,
            resumed: resumed
        )
    }

    /// Interprets a `validateOtp` answer.
    ///
    /// Success needs code 200 and `verificationStatus` `VERIFICATION_COMPLETED`;
    /// the result carries the id that was sent, not the echo.
    static func interpretValidate(
        httpStatus: Int,
        bytes: some Collection<UInt8>,
        request: ValidateRequest
    ) -> Outcome<ValidateResult> {
        let classification = self.classify(httpStatus: httpStatus, bytes: bytes)
        switch classification.meaning {
        case .success:
            let status = classification.body.verificationStatus
            guard status == "VERIFICATION_COMPLETED" else {
                // A status naming a documented failure keeps its meaning; anything else failed.
                let reason = status.flatMap(ProviderFailureReason.init(rawValue:)) ?? .verificationFailed
                let shown = status.map(self.safeToken) ?? "missing"
                return .failure(
                    ProviderError(
                        reason: reason,
                        providerCode: classification.code,
                        message: "code 200 without VERIFICATION_COMPLETED (verificationStatus \(shown))"
                    ),
                    transient: false
                )
            }
            return .success(
                ValidateResult(
                    verificationId: request.verificationId,
                    transactionId: classification.body.transactionId
                )
            )
        case .unauthorized:
            return .tokenRefused(providerCode: classification.code)
        case .failure(let reason, let transient):
            return .failure(self.error(reason, classification), transient: transient)
        }
    }

    /// Interprets a token answer.
    ///
    /// Success means a `token` in a 2xx answer, whatever `status` says; a 200
    /// without a token (seen as `{"status": 400}`) is a refusal. Refusals are
    /// `UNAUTHORIZED` whatever the code, because no call can proceed without a
    /// token; only transient failures are retried.
    static func interpretToken(httpStatus: Int, bytes: some Collection<UInt8>) -> Outcome<String> {
        let body = ProviderResponseBody(bytes: bytes)
        if (200..<300).contains(httpStatus), let token = body.token {
            return .success(token)
        }
        var classification = self.classify(httpStatus: httpStatus, bytes: bytes)
        if body.isJSONObject, let status = body.status {
            // The token endpoint reports its code as `status`, not `responseCode`.
            classification.code = status
            classification.meaning = ProviderCode.meaning(of: status)
        }
        if case .failure(let reason, transient: true) = classification.meaning {
            return .failure(self.error(reason, classification), transient: true)
        }
        let detail: String
        switch classification.meaning {
        case .success: detail = "token answer without a token"
        case .unauthorized: detail = "credentials refused"
        case .failure(let reason, _): detail = "token refused (\(reason.rawValue))"
        }
        let note = classification.nonJSONNote.map { "; \($0)" } ?? ""
        return .failure(
            ProviderError(reason: .unauthorized, providerCode: classification.code, message: detail + note),
            transient: false
        )
    }

    private static func error(_ reason: ProviderFailureReason, _ classification: Classification) -> ProviderError {
        if reason == .unexpectedResponse {
            return self.unexpected(classification, detail: "undocumented code \(classification.code)")
        }
        let note = classification.nonJSONNote.map { "; \($0)" } ?? ""
        return ProviderError(
            reason: reason,
            providerCode: classification.code,
            message: "provider answered \(classification.code) \(reason.rawValue)\(note)"
        )
    }

    private static func unexpected(_ classification: Classification, detail: String) -> ProviderError {
        let note = classification.nonJSONNote.map { "; \($0)" } ?? ""
        return ProviderError(reason: .unexpectedResponse, providerCode: classification.code, message: detail + note)
    }

    /// Echoes provider text only when it is a short upper-case token, so that no
    /// provider-chosen text (which could hold a number or a code) reaches a message.
    private static func safeToken(_ text: String) -> String {
        let allowed = text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || $0 == 95 }
        return allowed && text.utf8.count <= 64 ? text : "unrecognised"
    }
}
