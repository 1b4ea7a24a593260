/// The channel through which the provider delivers the code, as `otp.requested` names it.
///
/// The events module keeps its own copy rather than importing the provider client's
/// `FlowType`: the event contract must not change when the provider client does, and
/// the worker maps one onto the other at the edge. The raw values are the contract's.
public enum OTPFlowType: String, Sendable, Hashable, CaseIterable {
    /// A text message; the default when `flowType` is absent.
    case sms = "SMS"
    /// A WhatsApp message.
    case whatsapp = "WHATSAPP"
    /// An RCS message.
    case rcs = "RCS"
    /// Silent authentication.
    case sauth = "SAUTH"
}
