import Logging

/// The metadata keys the sandbox logs under, in one place.
enum SandboxLogKey {
    static let endpoint = "sandbox.endpoint"
    static let code = "sandbox.provider_code"
    static let customerID = "sandbox.customer_id"
    static let phone = "sandbox.phone"
    static let verificationID = "sandbox.verification_id"
    static let fault = "sandbox.fault"
    static let reason = "sandbox.reason"
}

/// A phone number that prints with all but its last two digits masked.
///
/// Log it instead of the raw number: `MaskedPhone(countryCode: "91", number: "9876543210")`
/// prints `+91********10`.
struct MaskedPhone: CustomStringConvertible, Sendable {
    let countryCode: String
    let number: String

    var description: String {
        let visible = number.count > 4 ? 2 : 0
        return "+\(countryCode)" + String(repeating: "*", count: number.count - visible) + number.suffix(visible)
    }
}

extension Logger.MetadataValue {
    /// A masked phone number as log metadata.
    static func phone(countryCode: String, number: String) -> Self {
        .stringConvertible(MaskedPhone(countryCode: countryCode, number: number))
    }
}
