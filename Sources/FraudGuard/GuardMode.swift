/// How the fraud guard acts on what it decides (`--guard`).
public enum GuardMode: String, Sendable, CaseIterable {
    /// Refuses what a rule refuses: `SEND_BLOCKED` or `RATE_LIMITED` instead of a send.
    case enforce
    /// Decides, counts and logs what it would refuse, and sends anyway: how a rule is rolled out.
    case monitor
    /// No guard: no view of the group's sends is kept and nothing is decided.
    case off
}
