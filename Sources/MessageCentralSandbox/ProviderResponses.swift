import Hummingbird

/// The bodies the emulated endpoints answer with, shaped as the document shows them.
enum ProviderResponses {
    // MARK: Token endpoint

    /// `{"status": 200, "token": "..."}`.
    static func token(_ token: String) -> Response {
        json(status: 200, .object([("status", .number(200)), ("token", .string(token))]))
    }

    /// A refusal from the token endpoint: `{"status": code, "message": ...}` with no `token`.
    ///
    /// - Parameter httpStatus: 200 for refused credentials (the live quirk),
    ///   the code itself for malformed requests.
    static func tokenRefusal(_ code: ProviderCode, httpStatus: Int) -> Response {
        json(status: httpStatus, .object([("status", .number(Int64(code.rawValue))), ("message", .string(code.displayText))]))
    }

    // MARK: Verification endpoints

    /// `{"responseCode": code, "message": DISPLAY_TEXT, "data": data}` with the code's HTTP status.
    static func envelope(_ code: ProviderCode, data: JSONValue = .null) -> Response {
        json(status: code.httpStatus, .object([
            ("responseCode", .number(Int64(code.rawValue))),
            ("message", .string(code.displayText)),
            ("data", data),
        ]))
    }

    /// The send answer. Note the string `responseCode` and `timeout` inside `data`.
    static func sent(_ verification: VerificationStore.Verification, timeout: Duration) -> Response {
        envelope(.success, data: .object([
            ("verificationId", .string(String(verification.id))),
            ("mobileNumber", .string(verification.mobileNumber)),
            ("responseCode", .string("200")),
            ("errorMessage", .null),
            ("timeout", .string(String(timeout.wholeSecondsRoundedUp))),
            ("smCLI", .null),
            ("transactionId", .string(verification.transactionID)),
        ]))
    }

    /// 506 for a number with a pending code, naming that verification: the send answer's
    /// `data` with the code as a string, an `errorMessage`, and `timeout` the whole seconds
    /// the pending code has left (rounded up, so a code with a moment left is not `"0"`).
    static func alreadyPending(_ verification: VerificationStore.Verification, remaining: Duration) -> Response {
        envelope(.requestAlreadyExists, data: .object([
            ("verificationId", .string(String(verification.id))),
            ("mobileNumber", .string(verification.mobileNumber)),
            ("responseCode", .string(String(ProviderCode.requestAlreadyExists.rawValue))),
            ("errorMessage", .string(ProviderCode.requestAlreadyExists.displayText)),
            ("timeout", .string(String(remaining.wholeSecondsRoundedUp))),
            ("smCLI", .null),
            ("transactionId", .string(verification.transactionID)),
        ]))
    }

    /// A validate answer; the id is spelled `verficationId`, as the live service spells it.
    ///
    /// Failures carry the same `data` with the code as a string and an
    /// `errorMessage`. The `verificationStatus` values other than
    /// `VERIFICATION_COMPLETED` are the sandbox's invention. A 703 reports
    /// `VERIFICATION_COMPLETED` on purpose: the verification is indeed
    /// complete, and a client must still not take a replay for a success.
    static func validated(_ code: ProviderCode, _ verification: VerificationStore.Verification) -> Response {
        let status: String = switch (code, verification.state) {
        case (.success, _), (.alreadyVerified, _): "VERIFICATION_COMPLETED"
        case (.verificationExpired, _): "VERIFICATION_EXPIRED"
        case (_, .pending): "VERIFICATION_PENDING"
        default: "VERIFICATION_FAILED"
        }
        return envelope(code, data: .object([
            ("verficationId", .string(String(verification.id))),
            ("mobileNumber", .string(verification.mobileNumber)),
            ("responseCode", .string(String(code.rawValue))),
            ("errorMessage", code == .success ? .null : .string(code.displayText)),
            ("verificationStatus", .string(status)),
            ("authToken", .null),
            ("transactionId", .string(verification.transactionID)),
        ]))
    }

    // MARK: Faults and unknown paths

    /// A 5xx: the provider's JSON for 500, a gateway's HTML page for the others.
    static func serverError(status: Int, endpoint: SandboxEndpoint) -> Response {
        guard status == 500 else {
            let html = "<html><head><title>\(status)</title></head><body><h1>\(status) Gateway Error</h1></body></html>"
            return Response(
                status: .init(code: status),
                headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: html))
            )
        }
        return endpoint == .token
            ? tokenRefusal(.serverError, httpStatus: 500)
            : envelope(.serverError)
    }

    /// 405 with an `Allow` header, in the shape of the endpoint's other answers.
    static func methodNotAllowed(endpoint: SandboxEndpoint) -> Response {
        var response = endpoint == .token
            ? tokenRefusal(.methodNotAllowed, httpStatus: 405)
            : envelope(.methodNotAllowed)
        response.headers[.allow] = endpoint.method.rawValue
        return response
    }

    /// Spring Boot's answer to a path it does not map (the "Whitelabel Error" of the FAQ, as JSON).
    static func notFound(path: String) -> Response {
        json(status: 404, .object([
            ("status", .number(404)),
            ("error", .string("Not Found")),
            ("path", .string(path)),
        ]))
    }

    /// `value` as an `application/json` body.
    static func json(status: Int, _ value: JSONValue) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: value.rendered))
        )
    }
}
