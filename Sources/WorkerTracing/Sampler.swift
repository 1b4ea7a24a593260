/// Which new traces are recorded: `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
///
/// A span with a parent from the input follows the parent's sampled flag when the sampler is
/// parent-based (the default, `parentbased_always_on`); the worker's own child spans always
/// follow their record span, so a trace is never recorded in part.
public struct Sampler: Sendable, Hashable {
    /// The decision for a trace that starts here (or for any trace, when not parent-based).
    public enum Root: Sendable, Hashable {
        /// Every trace.
        case alwaysOn
        /// No trace.
        case alwaysOff
        /// A fraction of traces, chosen by trace id so every service picks the same ones.
        case traceIDRatio(Double)
    }

    /// The decision for a trace without a sampled flag to follow.
    public var root: Root
    /// Whether a remote parent's sampled flag decides, when there is one.
    public var parentBased: Bool

    /// Creates a sampler.
    public init(root: Root, parentBased: Bool) {
        self.root = root
        self.parentBased = parentBased
    }

    /// `parentbased_always_on`, the specification's default.
    public static let `default` = Sampler(root: .alwaysOn, parentBased: true)

    /// Reads the standard variables' values; `nil` for a name it does not know, or a ratio
    /// outside 0...1 (the caller reports which variable).
    public init?(name: String?, argument: String?) {
        let name = (name ?? "").isEmpty ? "parentbased_always_on" : name!
        let ratio: Double? = if let argument, !argument.isEmpty { Double(argument) } else { 1.0 }
        switch name {
        case "always_on": self.init(root: .alwaysOn, parentBased: false)
        case "always_off": self.init(root: .alwaysOff, parentBased: false)
        case "traceidratio", "parentbased_traceidratio":
            guard let ratio, (0...1).contains(ratio) else { return nil }
            self.init(root: .traceIDRatio(ratio), parentBased: name.hasPrefix("parentbased_"))
        case "parentbased_always_on": self.init(root: .alwaysOn, parentBased: true)
        case "parentbased_always_off": self.init(root: .alwaysOff, parentBased: true)
        default: return nil
        }
    }

    /// Whether a span of `traceID` is recorded, given the sampled flag of its remote parent.
    func shouldSample(traceID: TraceID, parentSampled: Bool?) -> Bool {
        if parentBased, let parentSampled { return parentSampled }
        switch root {
        case .alwaysOn: return true
        case .alwaysOff: return false
        case .traceIDRatio(let ratio):
            // The low 63 bits of the id against the ratio: the same answer in every process.
            if ratio >= 1 { return true }
            return traceID.low & 0x7FFF_FFFF_FFFF_FFFF < UInt64(ratio * 9_223_372_036_854_775_808.0)
        }
    }
}

extension Sampler {
    /// The `OTEL_TRACES_SAMPLER` name of this sampler (its ratio apart), for the start-up line.
    public var name: String {
        let root = switch root {
        case .alwaysOn: "always_on"
        case .alwaysOff: "always_off"
        case .traceIDRatio(let ratio): "traceidratio (\(ratio))"
        }
        return parentBased ? "parentbased_\(root)" : root
    }
}
