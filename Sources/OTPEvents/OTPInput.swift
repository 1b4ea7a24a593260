/// One decoded input event, whichever topic it came from.
public enum OTPInput: Sendable, Hashable {
    /// An `otp.requested`: send a code.
    case requested(OTPRequested)
    /// An `otp.submitted`: check a code.
    case submitted(OTPSubmitted)
}

/// Which input topic a record came from; it decides which payload the decoder expects.
///
/// Topic names are configurable, so the worker maps its configured names onto this.
public enum OTPInputKind: Sendable, Hashable {
    /// The record came from the `otp.requested` topic.
    case requested
    /// The record came from the `otp.submitted` topic.
    case submitted
}

/// A decoded input together with what its envelope said about it.
public struct DecodedInput: Sendable, Hashable {
    /// The payload.
    public var input: OTPInput
    /// The CloudEvents id and trace context, to be carried to every output.
    public var context: InputContext

    /// Creates a decoded input.
    public init(input: OTPInput, context: InputContext) {
        self.input = input
        self.context = context
    }
}
