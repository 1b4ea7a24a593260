import Hummingbird
import Logging
import Primitives

/// The `/sandbox/` control surface: the same abilities as ``SandboxHandle``, over HTTP.
///
/// Parameters travel in the query, except the new password, which travels as
/// the raw request body so it stays out of URLs and access logs. Success is
/// `{"ok": true}` unless the path returns data; failures are `{"error": "..."}`.
extension SandboxResponder {
    func respond(to request: Request, control: ControlPath, context: SandboxRequestContext) async -> Response {
        guard control.methods.contains(request.method) else {
            var response = Self.controlError(405, "use \(control.methods.map(\.rawValue).joined(separator: " or "))")
            response.headers[.allow] = control.methods.map(\.rawValue).joined(separator: ", ")
            return response
        }
        let query = QueryParameters(request.uri.query)
        switch control {
        case .otp:
            return lastCode(query)
        case .stats:
            let stats = state.stats
            return ProviderResponses.json(status: 200, .object([
                ("tokenFetches", .number(Int64(stats.tokenFetches))),
                ("sends", .number(Int64(stats.sends))),
                ("validations", .number(Int64(stats.validations))),
                ("total", .number(Int64(stats.total))),
            ]))
        case .faults:
            return injectFault(query)
        case .latency:
            if request.method == .delete {
                state.setLatency(nil)
                return Self.ok
            }
            let delay: Duration
            do throws(DurationTextError) { delay = try DurationText.parse(query.nonEmpty("delay") ?? "") } catch { return Self.refused("delay", error) }
            state.setLatency(delay)
            return Self.ok
        case .expireTokens:
            state.expireAllTokens()
            return Self.ok
        case .password:
            guard let body = try? await request.body.collect(upTo: 4096),
                  let password = body.getString(at: body.readerIndex, length: body.readableBytes),
                  !password.isEmpty
            else {
                return Self.controlError(400, "send the new password as the request body")
            }
            state.setPassword(password)
            context.logger.notice("sandbox password changed")
            return Self.ok
        case .advanceClock:
            let step: Duration
            do throws(DurationTextError) { step = try DurationText.parse(query.nonEmpty("by") ?? "") } catch { return Self.refused("by", error) }
            state.advanceClock(by: step)
            return Self.ok
        case .pendingNamesVerification:
            if request.method == .post {
                guard let enabled = query.nonEmpty("enabled").flatMap({ Bool($0) }) else {
                    return Self.controlError(400, "enabled must be true or false")
                }
                state.setPendingNamesVerification(enabled)
            }
            return ProviderResponses.json(status: 200, .object([("enabled", .bool(state.pendingNamesVerification))]))
        case .reset:
            state.reset()
            return Self.ok
        }
    }

    /// `{"code": "..."}` for `verificationId`, plus the id when asked by `mobileNumber`.
    private func lastCode(_ query: QueryParameters) -> Response {
        if let idText = query.nonEmpty("verificationId") {
            guard let id = Int64(idText) else { return Self.controlError(400, "verificationId must be digits") }
            guard let code = state.lastCode(verificationID: id) else {
                return Self.controlError(404, "no verification with that id")
            }
            return ProviderResponses.json(status: 200, .object([("code", .string(code))]))
        }
        if let number = query.nonEmpty("mobileNumber") {
            guard let verification = state.latestVerification(mobileNumber: number) else {
                return Self.controlError(404, "nothing was sent to that number")
            }
            return ProviderResponses.json(status: 200, .object([
                ("code", .string(verification.code)),
                ("verificationId", .string(String(verification.id))),
            ]))
        }
        return Self.controlError(400, "give verificationId or mobileNumber")
    }

    /// `type` = `server-error` (with `status`, default 500), `latency` (with `delay`), `hang` or `drop`;
    /// `count` defaults to 1 and `endpoint` (`token`, `send`, `validate`, `all`) to `all`.
    private func injectFault(_ query: QueryParameters) -> Response {
        let count = query.nonEmpty("count").map { Int($0) } ?? 1
        guard let count, count >= 1 else { return Self.controlError(400, "count must be a positive integer") }
        let endpointName = query.nonEmpty("endpoint") ?? SandboxEndpoint.all.rawValue
        guard let endpoint = SandboxEndpoint(rawValue: endpointName) else {
            return Self.controlError(400, "endpoint must be token, send, validate or all")
        }
        let fault: SandboxFault
        switch query.nonEmpty("type") {
        case "server-error":
            let status = query.nonEmpty("status").map { Int($0) } ?? 500
            guard let status, (500...599).contains(status) else {
                return Self.controlError(400, "status must be between 500 and 599")
            }
            fault = .serverError(status: status)
        case "latency":
            do throws(DurationTextError) { fault = .latency(try DurationText.parse(query.nonEmpty("delay") ?? "")) } catch { return Self.refused("delay", error) }
        case "hang":
            fault = .hang
        case "drop":
            fault = .dropConnection
        case "answer-lost":
            fault = .answerLost
        default:
            return Self.controlError(400, "type must be server-error, latency, hang, drop or answer-lost")
        }
        state.inject(fault, count: count, endpoint: endpoint)
        return Self.ok
    }

    static var ok: Response {
        ProviderResponses.json(status: 200, .object([("ok", .bool(true))]))
    }

    /// The answer to a duration parameter that is not one: durations are read here as every
    /// command reads them (`DurationText`), and the message quotes the value and states the rule.
    static func refused(_ parameter: String, _ error: DurationTextError) -> Response {
        controlError(400, "\(parameter): \(error)")
    }

    static func controlError(_ status: Int, _ message: String) -> Response {
        ProviderResponses.json(status: status, .object([("error", .string(message))]))
    }
}
