#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MessageCentral
import MessageCentralSandbox
import Testing

/// No secret reaches a log line, at any level, through any path the client takes.
@Suite("Logs hold no secrets", .timeLimit(.minutes(1)))
struct LogRedactionContractTests {
    static let password = "Pw+/=secret~7781"
    static let wrongCode = "13572468"

    @Test("password, key, tokens and codes never appear in trace logs; phone numbers only masked")
    func noSecretsInLogs() async throws {
        let capture = LogCapture()
        let sandboxConfiguration = SandboxConfiguration(port: 0, customerID: "C-LOGTEST", password: Self.password)
        var secrets: [String] = [Self.password, Self.wrongCode]
        let key = Data(Self.password.utf8).base64EncodedString()
        secrets.append(key)
        secrets.append(key.replacing("+", with: "%2B").replacing("/", with: "%2F").replacing("=", with: "%3D"))
        let numbers = (0..<4).map { _ in freshMobileNumber() }
        var errorDescriptions: [String] = []

        let firstVerificationID = try await withClientAndSandbox(sandbox: sandboxConfiguration, logger: capture.logger(label: "client")) { client, sandbox in
            try await client.warmUp(deadline: nil)

            let sent = try await client.send(SendRequest(countryCode: "91", mobileNumber: numbers[0], otpLength: 8), deadline: nil)
            let code = try #require(sandbox.lastCode(verificationId: sent.verificationId))
            secrets.append(code)
            let wrong = ValidateRequest(verificationId: sent.verificationId, code: Secret(Self.wrongCode))
            let right = ValidateRequest(verificationId: sent.verificationId, code: Secret(code))
            if let error = await expectProviderError({ try await client.validate(wrong, deadline: nil) }) {
                errorDescriptions.append("\(error)")
            }
            _ = try await client.validate(right, deadline: nil)
            if let error = await expectProviderError({ try await client.validate(right, deadline: nil) }) {
                errorDescriptions.append("\(error)")
            }

            // The 401 path, the retry path and a transport failure.
            sandbox.expireAllTokens()
            let second = try await client.send(SendRequest(countryCode: "91", mobileNumber: numbers[1], otpLength: 8), deadline: nil)
            secrets.append(try #require(sandbox.lastCode(verificationId: second.verificationId)))
            sandbox.inject(.internalServerError, count: 2, endpoint: .send)
            sandbox.inject(.dropConnection, count: 1, endpoint: .validate)
            let third = try await client.send(SendRequest(countryCode: "91", mobileNumber: numbers[2], otpLength: 8), deadline: nil)
            let thirdCode = try #require(sandbox.lastCode(verificationId: third.verificationId))
            secrets.append(thirdCode)
            _ = try await client.validate(ValidateRequest(verificationId: third.verificationId, code: Secret(thirdCode)), deadline: nil)

            // A business failure on send, then refused credentials.
            if let error = await expectProviderError({
                try await client.send(SendRequest(countryCode: "999", mobileNumber: numbers[3], otpLength: 8), deadline: nil)
            }) {
                errorDescriptions.append("\(error)")
            }
            sandbox.setPassword("rotated-away")
            sandbox.expireAllTokens()
            if let error = await expectProviderError({
                try await client.send(SendRequest(countryCode: "91", mobileNumber: numbers[3], otpLength: 8), deadline: nil)
            }) {
                errorDescriptions.append("\(error)")
            }
            return sent.verificationId
        }

        let lines = capture.lines
        let texts = lines.map(\.description) + errorDescriptions
        // The capture saw the client at work, at the levels that matter, so the checks below mean something.
        #expect(lines.count > 20)
        #expect(lines.contains { $0.level == .trace })
        #expect(lines.contains { $0.level == .debug })
        #expect(lines.contains { $0.message.contains("token") })
        for text in texts {
            for secret in secrets {
                #expect(!text.contains(secret), "a secret leaked into: \(text)")
            }
            // Every JWT starts with the Base64 of `{"`.
            #expect(!text.contains("eyJ"), "a token leaked into: \(text)")
            #expect(!text.contains("?"), "a URL with its query leaked into: \(text)")
            for number in numbers {
                #expect(!text.contains(number), "an unmasked phone number leaked into: \(text)")
                #expect(!text.contains(number.dropLast(4)), "a phone prefix leaked into: \(text)")
            }
        }
        let masked = "+91******" + numbers[0].suffix(4)
        #expect(texts.contains { $0.contains(masked) }, "phone numbers should appear masked")
        // Each line carries what its call is about: the masked number or the verification, the
        // operation and the attempt.
        #expect(lines.contains {
            $0.metadata["message_central.phone"] == masked && $0.metadata["message_central.operation"] == "send"
                && $0.metadata["message_central.attempt"] == "1"
        })
        #expect(lines.contains {
            $0.metadata["message_central.verification_id"] == firstVerificationID
                && $0.metadata["message_central.operation"] == "validate"
        })
        #expect(lines.contains {
            $0.metadata["message_central.operation"] == "send" && $0.metadata["message_central.attempt"] == "3"
        }, "the third attempt of the send that met two server errors")
        #expect(lines.contains { $0.metadata["message_central.operation"] == "token" })
    }
}
