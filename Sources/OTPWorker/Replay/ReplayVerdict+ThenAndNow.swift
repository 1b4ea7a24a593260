import JSON

extension ReplayVerdict {
    /// Marks the verdict a re-emission of `first`, and sets then and now beside it: what was
    /// published for this key at the time, and what a fresh judgement would do today. A change
    /// of rule or limit since shows up as a difference without re-driving anything.
    mutating func remember(_ first: RememberedOutcome, freshAction fresh: Action) {
        action = .reemit
        rememberedType = first.type
        freshAction = fresh
        let reason = (JSONValue(parsing: first.payload)?.objectValue?["reason"]).flatMap { value -> String? in
            if case .string(let text) = value { return text }
            return nil
        }
        let then = [first.type, reason].compactMap { $0 }.joined(separator: " ")
        self.then = then
        switch fresh {
        case .expire: differs = then != "otp.failed REQUEST_EXPIRED"
        case .send: differs = first.type != "otp.sent"
        // The provider answers a validation: verified then and failed now are both possible.
        default: differs = nil
        }
    }
}
