import AsyncHTTPClient
import Foundation
import MessageCentralSandbox
import NIOCore
import NIOHTTP1

/// An answer as it came off the wire, with the body parsed as a JSON object when it is one.
///
/// Deliberately untyped: these tests check field names and JSON types
/// (number versus string) exactly, so they must not decode through any model.
struct RawResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    /// The body as a JSON object; fails the caller's `#require` when it is not one.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
}

/// Raw requests against a sandbox, one `HTTPClient` per test so faults cannot leak between tests.
struct RawHTTP: Sendable {
    let baseURL: String
    let client: HTTPClient

    func request(
        _ method: HTTPMethod,
        _ pathAndQuery: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: TimeAmount = .seconds(20)
    ) async throws -> RawResponse {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return RawResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func get(_ pathAndQuery: String, token: String? = nil, timeout: TimeAmount = .seconds(20)) async throws -> RawResponse {
        try await request(.GET, pathAndQuery, headers: token.map { [("authToken", $0)] } ?? [], timeout: timeout)
    }

    func post(_ pathAndQuery: String, token: String? = nil, body: String? = nil) async throws -> RawResponse {
        try await request(.POST, pathAndQuery, headers: token.map { [("authToken", $0)] } ?? [], body: body)
    }

    // MARK: The happy path, spelled as the document spells it

    static func key(_ password: String) -> String {
        Data(password.utf8).base64EncodedString()
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    func tokenResponse(customerID: String = "C-SANDBOX", password: String = "sandbox") async throws -> RawResponse {
        try await get("/auth/v1/authentication/token?customerId=\(customerID)&key=\(Self.key(password))&scope=NEW")
    }

    /// A fresh token; throws when the sandbox did not issue one.
    func token(customerID: String = "C-SANDBOX", password: String = "sandbox") async throws -> String {
        let response = try await tokenResponse(customerID: customerID, password: password)
        guard let token = response.json?["token"] as? String else { throw Unexpected(response: response) }
        return token
    }

    func send(
        token: String,
        mobileNumber: String = "9999999999",
        countryCode: String = "91",
        customerID: String = "C-SANDBOX",
        flowType: String = "SMS",
        extra: String = ""
    ) async throws -> RawResponse {
        try await post(
            "/verification/v3/send?countryCode=\(countryCode)&customerId=\(customerID)&flowType=\(flowType)&mobileNumber=\(mobileNumber)\(extra)",
            token: token
        )
    }

    /// Sends and returns the verification id; throws when the send did not succeed.
    func sendOK(token: String, mobileNumber: String = "9999999999") async throws -> String {
        let response = try await send(token: token, mobileNumber: mobileNumber)
        guard let data = response.json?["data"] as? [String: Any], let id = data["verificationId"] as? String else {
            throw Unexpected(response: response)
        }
        return id
    }

    func validate(token: String?, verificationID: String, code: String) async throws -> RawResponse {
        try await get("/verification/v3/validateOtp?verificationId=\(verificationID)&code=\(code)", token: token)
    }

    struct Unexpected: Error, CustomStringConvertible {
        let response: RawResponse
        var description: String { "unexpected answer \(response.status): \(response.body)" }
    }
}

/// Runs `body` against a fresh sandbox with its own HTTP client.
///
/// Not generic on purpose: with a generic result the closure's type is
/// inferred from its body, which misses a `try` inside `#expect`.
func withRawSandbox(
    _ configuration: SandboxConfiguration = .init(port: 0),
    _ body: (SandboxHandle, RawHTTP) async throws -> Void
) async throws {
    var configuration = configuration
    configuration.host = SandboxConfiguration.isolatedLoopbackHost()
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init())
    do {
        try await withSandbox(configuration) { sandbox in
            try await body(sandbox, RawHTTP(baseURL: sandbox.baseURL, client: client))
        }
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

extension RawResponse {
    /// The top-level `responseCode`, only if it is a JSON number.
    var numericResponseCode: Int? {
        guard let value = json?["responseCode"], !(value is String) else { return nil }
        return value as? Int
    }

    var data: [String: Any]? {
        json?["data"] as? [String: Any]
    }
}
