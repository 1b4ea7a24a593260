/// The channel through which the provider delivers the code.
///
/// The raw value is the provider's `flowType` query value.
public enum FlowType: String, Sendable, Hashable, CaseIterable, Codable {
    /// A text message.
    case sms = "SMS"
    /// A WhatsApp message.
    case whatsApp = "WHATSAPP"
    /// An RCS message.
    case rcs = "RCS"
    /// Silent authentication.
    case sauth = "SAUTH"
}
