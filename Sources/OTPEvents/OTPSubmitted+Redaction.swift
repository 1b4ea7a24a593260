extension OTPSubmitted: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that names every field but masks the code.
    public var description: String {
        var parts = ["verificationId: \(verificationId.debugDescription)", "code: <redacted>"]
        if let requestId { parts.append("requestId: \(requestId.debugDescription)") }
        if let submissionId { parts.append("submissionId: \(submissionId.debugDescription)") }
        if let metadata { parts.append("metadata: \(metadata.count) entries") }
        return "OTPSubmitted(\(parts.joined(separator: ", ")))"
    }

    /// The same as `description`: debugging output must not leak the code either.
    public var debugDescription: String { description }

    /// A mirror whose `code` child is masked, so `dump` and reflection-based loggers stay safe.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "verificationId": verificationId,
                "code": "<redacted>",
                "requestId": requestId as Any,
                "submissionId": submissionId as Any,
                "metadata": metadata as Any,
            ],
            displayStyle: .struct
        )
    }
}
