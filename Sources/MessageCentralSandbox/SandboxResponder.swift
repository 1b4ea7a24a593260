import Hummingbird
import Logging
import NIOCore

/// Answers every request: the emulated API, its faults, and the `/sandbox/` control surface.
///
/// Routing is done here rather than with Hummingbird's `Router` because the
/// router answers a wrong method with 404, and the document promises 405.
struct SandboxResponder: Sendable {
    let state: SandboxState
    let hangs: HangGate

    func respond(to request: Request, context: SandboxRequestContext) async -> Response {
        let path = request.uri.path
        switch Route(path: path) {
        case .control(let control):
            return await respond(to: request, control: control, context: context)
        case .unknown where path == "/sandbox" || path.hasPrefix("/sandbox/"):
            return Self.controlError(404, "no such control path")
        case .unknown:
            _ = state.admit(nil)
            return ProviderResponses.notFound(path: path)
        case .api(let endpoint):
            let (latency, fault) = state.admit(endpoint)
            if let latency { try? await Task.sleep(for: latency) }
            if let fault, let response = await suffer(fault, endpoint: endpoint, request: request, context: context) {
                return response
            }
            guard request.method == endpoint.method else {
                return ProviderResponses.methodNotAllowed(endpoint: endpoint)
            }
            let query = QueryParameters(request.uri.query)
            var logger = context.logger
            logger[metadataKey: SandboxLogKey.endpoint] = "\(endpoint.rawValue)"
            let response: Response
            switch endpoint {
            case .token: response = issueToken(query, logger: logger)
            case .send: response = send(query, authToken: request.authToken, logger: logger)
            case .validate: response = validate(query, authToken: request.authToken, logger: logger)
            // `.all` only aims faults; no path routes to it.
            case .all: response = ProviderResponses.notFound(path: path)
            }
            if fault == .answerLost { return await closeWithoutAnswer(context) }
            return response
        }
    }

    // MARK: Faults

    /// Applies a fault; `nil` means carry on and answer normally.
    private func suffer(
        _ fault: SandboxFault,
        endpoint: SandboxEndpoint,
        request: Request,
        context: SandboxRequestContext
    ) async -> Response? {
        context.logger.info("injecting fault", metadata: [
            SandboxLogKey.endpoint: "\(endpoint.rawValue)", SandboxLogKey.fault: "\(fault)",
        ])
        switch fault {
        case .latency(let delay):
            try? await Task.sleep(for: delay)
            return nil
        case .serverError(let status):
            return ProviderResponses.serverError(status: status, endpoint: endpoint)
        case .hang:
            // Cancelled when the client closes its side; released when the sandbox stops.
            _ = try? await request.body.consumeWithCancellationOnInboundClose { _ in
                try await hangs.wait(clientPort: context.channel.remoteAddress?.port)
            }
            return await closeWithoutAnswer(context)
        case .dropConnection:
            return await closeWithoutAnswer(context)
        case .answerLost:
            return nil  // carried out first; the answer is dropped after
        }
    }

    /// Closes the connection; the response returned only satisfies the type and is never written.
    private func closeWithoutAnswer(_ context: SandboxRequestContext) async -> Response {
        try? await context.channel.close(mode: .all)
        return Response(status: .internalServerError)
    }
}

extension Request {
    /// The `authToken` header the document names; header names are case-insensitive.
    var authToken: String? {
        // The field name is spelled through inference: HTTPTypes' `HTTPField` is not re-exported.
        headers[.init("authToken")!]
    }
}
