import Primitives
/// The guard's state and its decisions: pure, no I/O, no clock of its own (every call says
/// what time it is, in milliseconds since 1970), so the rules are tested without Kafka.
///
/// Counts come from two places: sends this worker admits (``reserve(_:request:now:)``, counted
/// at once) and every `otp.sent` and `otp.verified` of the group (``noteSent(_:)``,
/// ``noteVerified(_:at:)``), read from Kafka by every worker. An `otp.sent` of a send this
/// worker reserved is not counted twice; one seen before (a re-emission) is not counted again.
public struct GuardBook: Sendable {
    public let policy: GuardPolicy
    /// Times are kept as 100 ms ticks after this (milliseconds since 1970), in 32 bits.
    private let origin: Int64
    private let grace: Int64

    private var numbers: SlidingWindowCounter<UInt64>?
    private var prefixes: SlidingWindowCounter<PackedPrefix>?
    private var countries: SlidingWindowCounter<PackedPrefix>?
    private var everyone: SlidingWindowCounter<UInt8>?
    private var prefixConversion: ConversionCounter<PackedPrefix>?
    private var countryConversion: ConversionCounter<PackedPrefix>?

    private var pending = PendingSends()
    /// Sends counted, by request and verification: a re-emitted `otp.sent` is not counted again.
    private var seen: [UInt64: UInt32] = [:]
    /// Verifications read before their send (the two topics are read side by side).
    private var early: [UInt64: UInt32] = [:]
    /// Sends this worker admitted whose `otp.sent` it has not read back yet.
    private var reserved: [UInt64: (destination: GuardDestination, at: UInt32)] = [:]
    private var blockedPrefixes: [PackedPrefix: ConversionStanding] = [:]
    private var blockedCountries: [PackedPrefix: ConversionStanding] = [:]
    private var lastPrune: UInt32 = 0

    /// The worst verified shares at the last prune, lowest first, at most 5 each, among keys
    /// with at least the rule's minimum sample.
    public private(set) var worstPrefixes: [ConversionStanding] = []
    public private(set) var worstCountries: [ConversionStanding] = []

    /// - Parameters:
    ///   - now: milliseconds since 1970; nothing older than the policy's lookback before it counts.
    ///   - verificationGrace: how long after its OTP expired a send waits for an `otp.verified`
    ///     still on its way before it counts as unverified.
    public init(policy: GuardPolicy, now: Int64, verificationGrace: Duration = .seconds(2)) {
        self.policy = policy
        origin = now - policy.lookback.milliseconds - 3_600_000
        grace = verificationGrace.milliseconds / 100
        func ticks(_ window: Duration) -> Int64 { max(1, window.milliseconds / 100) }
        numbers = policy.numberLimit.map { SlidingWindowCounter(limit: $0.count, window: ticks($0.window)) }
        prefixes = policy.prefixLimit.map { SlidingWindowCounter(limit: $0.count, window: ticks($0.window)) }
        countries = policy.countryLimit.map { SlidingWindowCounter(limit: $0.count, window: ticks($0.window)) }
        everyone = policy.globalLimit.map { SlidingWindowCounter(limit: $0.count, window: ticks($0.window)) }
        prefixConversion = policy.minConversion.map { ConversionCounter(window: ticks($0.window)) }
        countryConversion = policy.minConversion.map { ConversionCounter(window: ticks($0.window)) }
    }

    // MARK: Deciding

    /// What the rules say of a send to `+countryCode mobileNumber` now, in the contract's order;
    /// counts nothing (``reserve(_:request:now:)`` does, once the send goes ahead).
    public func decide(countryCode: String, mobileNumber: String, destination: GuardDestination, now: Int64) -> GuardVerdict {
        if let allowed = policy.allowCountries, !allowed.contains(countryCode) {
            return .blocked(.allowCountries, message: "country calling code +\(countryCode) is not on the allow-list (\(GuardRule.allowCountries.flag))")
        }
        if let denied = policy.denyPrefixes.first(where: { $0.matches(countryCode: countryCode, mobileNumber: mobileNumber) }) {
            return .blocked(.denyPrefixes, message: "number prefix \(denied) is on the deny-list (\(GuardRule.denyPrefixes.flag))")
        }
        let tick = self.tick(now)
        var refusing: [(GuardRule, RateLimit, String, Int64)] = []
        if let wait = numbers?.wait(destination.number, now: tick), let limit = policy.numberLimit {
            refusing.append((.numberLimit, limit, "this number", wait))
        }
        if let wait = prefixes?.wait(destination.prefix, now: tick), let limit = policy.prefixLimit {
            refusing.append((.prefixLimit, limit, "prefix \(destination.prefix)", wait))
        }
        if let wait = countries?.wait(destination.country, now: tick), let limit = policy.countryLimit {
            refusing.append((.countryLimit, limit, "country calling code +\(countryCode)", wait))
        }
        if let wait = everyone?.wait(0, now: tick), let limit = policy.globalLimit {
            refusing.append((.globalLimit, limit, "the whole group", wait))
        }
        if let (rule, limit, whom, _) = refusing.first {
            // Admitted again only once every limit that refuses it admits one.
            let wait = refusing.map(\.3).max() ?? 1
            let seconds = Int(max(1, (wait + 9) / 10))
            return .rateLimited(rule, retryAfterSeconds: seconds, message:
                "\(limit.count) sends to \(whom) within \(GuardPolicy.describe(limit.window)) already (\(rule.flag)); the next is admitted in \(seconds)s")
        }
        if let rule = policy.minConversion {
            for (standing, guardRule, whom) in [
                (blockedPrefixes[destination.prefix], GuardRule.prefixConversion, "prefix \(destination.prefix)"),
                (blockedCountries[destination.country], GuardRule.countryConversion, "country calling code +\(countryCode)"),
            ] {
                guard let standing else { continue }
                return .blocked(guardRule, message:
                    "\(whom): \(standing.verified) of \(standing.verified + standing.expired) codes within \(GuardPolicy.describe(rule.window)) were verified, below the share \(rule.minimumShare) (\(guardRule.flag))")
            }
        }
        return .admit
    }

    /// Counts a send this worker goes ahead with, at once: the group learns of it only when its
    /// `otp.sent` is read back.
    public mutating func reserve(_ destination: GuardDestination, request: UInt64, now: Int64) {
        let tick = self.tick(now)
        count(destination, at: tick)
        reserved[request] = (destination, tick)
    }

    /// Records what the provider answered for a reserved send, as its `otp.sent` read back
    /// would: the view then need not read this worker's own `otp.sent` records.
    public mutating func confirm(_ fact: SentFact) {
        guard reserved.removeValue(forKey: fact.request) != nil else {
            noteSent(fact)
            return
        }
        remember(fact, identity: Self.identity(fact))
    }

    /// Takes back a reserved send that did not happen (the provider refused or never answered).
    public mutating func release(request: UInt64) {
        guard let (destination, tick) = reserved.removeValue(forKey: request) else { return }
        numbers?.remove(destination.number, at: tick)
        prefixes?.remove(destination.prefix, at: tick)
        countries?.remove(destination.country, at: tick)
        everyone?.remove(0, at: tick)
    }

    // MARK: The group's facts

    /// Counts an `otp.sent` read from Kafka, unless already counted.
    public mutating func noteSent(_ fact: SentFact) {
        let identity = Self.identity(fact)
        guard seen[identity] == nil else { return }
        if reserved.removeValue(forKey: fact.request) == nil { count(fact.destination, at: tick(fact.sentAt)) }
        remember(fact, identity: identity)
    }

    /// A send's identity among those seen: its request and its verification (a re-emission has
    /// both; a resumed send another request's verification).
    private static func identity(_ fact: SentFact) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(fact.request)
        hasher.combine(fact.verification)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// Marks a counted send as seen (a re-emission is not counted again) and, when its code can
    /// still be typed in, as pending for the conversion rule.
    private mutating func remember(_ fact: SentFact, identity: UInt64) {
        let sentAt = tick(fact.sentAt)
        guard seen[identity] == nil else { return }
        seen[identity] = sentAt &+ UInt32(clamping: policy.lookback.milliseconds / 100)
        guard policy.minConversion != nil, fact.timeoutSeconds > 0, !pending.contains(fact.verification) else { return }
        if let verifiedAt = early.removeValue(forKey: fact.verification) {
            resolve(fact.destination.prefix, fact.destination.country, verified: true, at: verifiedAt)
            return
        }
        let expires = sentAt &+ UInt32(clamping: Int64(fact.timeoutSeconds) * 10 + grace)
        pending.insert(fact.verification, .init(prefix: fact.destination.prefix, country: fact.destination.country, expires: expires))
    }

    /// Counts an `otp.verified` read from Kafka: its send no longer waits to expire.
    public mutating func noteVerified(_ verification: UInt64, at milliseconds: Int64) {
        guard policy.minConversion != nil else { return }
        let time = tick(milliseconds)
        if let entry = pending.resolve(verification) {
            resolve(entry.prefix, entry.country, verified: true, at: time)
        } else {
            early[verification] = time
        }
    }

    /// Moves time to `now`: expired sends count as unverified, blocked keys are judged again,
    /// and now and then what left every window is forgotten. Returns what started or stopped
    /// being blocked.
    public mutating func advance(now: Int64) -> [GuardTransition] {
        let tick = self.tick(now)
        var transitions = expire(now: now)
        if tick &- lastPrune >= 50 || tick < lastPrune {
            lastPrune = tick
            transitions += prune(now: tick)
        }
        return transitions
    }

    /// The cheap part of ``advance(now:)``, for every decision: sends whose code expired count
    /// as unverified, and blocked keys are judged again, so that a decision never waits for
    /// the next tick of the clock. Returns what started or stopped being blocked.
    public mutating func expire(now: Int64) -> [GuardTransition] {
        let tick = self.tick(now)
        var transitions: [GuardTransition] = []
        while let entry = pending.popExpired(now: tick) {
            transitions += resolve(entry.prefix, entry.country, verified: false, at: entry.expires)
        }
        guard !blockedPrefixes.isEmpty || !blockedCountries.isEmpty else { return transitions }
        return transitions + rejudgeBlocked(now: tick)
    }

    /// Sizes, for the memory gauge and the documentation's figures.
    public var sizes: (numbers: Int, pending: Int, seen: Int) {
        (numbers?.keyCount ?? 0, pending.count, seen.count)
    }

    /// Prefixes and countries the conversion rule blocks now.
    public var blockedCounts: (prefixes: Int, countries: Int) { (blockedPrefixes.count, blockedCountries.count) }

    /// Whether the conversion rule blocks this prefix or country now.
    public func isBlocked(_ key: PackedPrefix, rule: GuardRule) -> Bool {
        rule == .prefixConversion ? blockedPrefixes[key] != nil : blockedCountries[key] != nil
    }

    // MARK: Internals

    private mutating func count(_ destination: GuardDestination, at tick: UInt32) {
        numbers?.record(destination.number, at: tick)
        prefixes?.record(destination.prefix, at: tick)
        countries?.record(destination.country, at: tick)
        everyone?.record(0, at: tick)
    }

    @discardableResult
    private mutating func resolve(_ prefix: PackedPrefix, _ country: PackedPrefix, verified: Bool, at tick: UInt32) -> [GuardTransition] {
        prefixConversion?.record(prefix, verified: verified, at: tick)
        countryConversion?.record(country, verified: verified, at: tick)
        var transitions: [GuardTransition] = []
        if let transition = judge(prefix, rule: .prefixConversion, now: tick) { transitions.append(transition) }
        if let transition = judge(country, rule: .countryConversion, now: tick) { transitions.append(transition) }
        return transitions
    }

    /// Judges one key by the conversion rule; a transition when its state changed.
    private mutating func judge(_ key: PackedPrefix, rule: GuardRule, now: UInt32) -> GuardTransition? {
        guard let conversion = policy.minConversion else { return nil }
        let totals = (rule == .prefixConversion ? prefixConversion : countryConversion)?.totals(key, now: now) ?? (verified: 0, expired: 0)
        let standing = ConversionStanding(key: key, verified: totals.verified, expired: totals.expired, blocked: false)
        let failing = totals.verified + totals.expired >= conversion.minimumSample && standing.share < conversion.minimumShare
        let wasBlocked = isBlocked(key, rule: rule)
        if failing {
            var blocked = standing
            blocked.blocked = true
            if rule == .prefixConversion { blockedPrefixes[key] = blocked } else { blockedCountries[key] = blocked }
        } else if wasBlocked {
            if rule == .prefixConversion { blockedPrefixes[key] = nil } else { blockedCountries[key] = nil }
        }
        guard failing != wasBlocked else { return nil }
        return GuardTransition(rule: rule, key: key, blocked: failing, verified: totals.verified, expired: totals.expired)
    }

    private mutating func rejudgeBlocked(now: UInt32) -> [GuardTransition] {
        judge(Array(blockedPrefixes.keys), rule: .prefixConversion, now: now)
            + judge(Array(blockedCountries.keys), rule: .countryConversion, now: now)
    }

    private mutating func judge(_ keys: [PackedPrefix], rule: GuardRule, now: UInt32) -> [GuardTransition] {
        keys.compactMap { judge($0, rule: rule, now: now) }
    }

    private mutating func prune(now: UInt32) -> [GuardTransition] {
        numbers?.prune(now: now)
        prefixes?.prune(now: now)
        countries?.prune(now: now)
        everyone?.prune(now: now)
        seen = seen.filter { $0.value > now }
        let lookback = UInt32(clamping: policy.lookback.milliseconds / 100)
        early = early.filter { $0.value &+ lookback > now }
        reserved = reserved.filter { $0.value.at &+ lookback > now }
        guard let rule = policy.minConversion else { return [] }
        var standings: [GuardRule: [ConversionStanding]] = [:]
        var transitions: [GuardTransition] = []
        for scope in [GuardRule.prefixConversion, .countryConversion] {
            var judged: [PackedPrefix] = []
            var sampled: [ConversionStanding] = []
            let visit = { (key: PackedPrefix, verified: Int, expired: Int) in
                judged.append(key)
                if verified + expired >= rule.minimumSample {
                    sampled.append(.init(key: key, verified: verified, expired: expired, blocked: false))
                }
            }
            if scope == .prefixConversion { prefixConversion?.prune(now: now, visit: visit) } else { countryConversion?.prune(now: now, visit: visit) }
            transitions += judge(judged, rule: scope, now: now)
            standings[scope] = sampled
        }
        worstPrefixes = Self.worst(standings[.prefixConversion] ?? [], blocked: blockedPrefixes)
        worstCountries = Self.worst(standings[.countryConversion] ?? [], blocked: blockedCountries)
        return transitions
    }

    private static func worst(_ standings: [ConversionStanding], blocked: [PackedPrefix: ConversionStanding]) -> [ConversionStanding] {
        standings
            .map { var standing = $0; standing.blocked = blocked[$0.key] != nil; return standing }
            .sorted { ($0.share, $0.key) < ($1.share, $1.key) }
            .prefix(5)
            .map { $0 }
    }

    private func tick(_ milliseconds: Int64) -> UInt32 {
        UInt32(clamping: max(0, (milliseconds - origin) / 100))
    }
}
