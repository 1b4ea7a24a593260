#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// The tokens the sandbox has issued and when each stops being accepted.
///
/// The live service signs HS512 JWTs and checks the signature; the sandbox
/// has no HMAC without adding a dependency, so it signs with random bytes
/// and recognises its tokens by keeping them in this table instead.
struct TokenStore: Sendable {
    /// What the table knows about one token.
    struct Entry: Sendable {
        let subject: String
        let expiresAt: Date
    }

    /// The verdict on an `authToken` header.
    enum Verdict: Sendable, Equatable {
        case valid(subject: String)
        case missing
        case unknown
        case expired
    }

    private var entries: [String: Entry] = [:]

    /// Issues a token for `subject` valid from `now` for `lifetime`.
    mutating func issue(subject: String, lifetime: Duration, now: Date) -> String {
        // Forget long-expired tokens so a long-running sandbox does not grow without bound.
        entries = entries.filter { $0.value.expiresAt > now }
        let expiresAt = now.addingTimeInterval(lifetime.timeInterval)
        let token = JWTShape.token(subject: subject, issuedAt: now, expiresAt: expiresAt)
        entries[token] = Entry(subject: subject, expiresAt: expiresAt)
        return token
    }

    /// Judges the token a request carried.
    func verdict(for token: String?, now: Date) -> Verdict {
        guard let token, !token.isEmpty else { return .missing }
        guard let entry = entries[token] else { return .unknown }
        return now < entry.expiresAt ? .valid(subject: entry.subject) : .expired
    }

    /// Makes every issued token unacceptable, as if all had expired at once.
    mutating func expireAll() {
        entries.removeAll()
    }

    /// Number of tokens still in the table (expired ones may linger until the next issue).
    var count: Int { entries.count }
}

/// Builds tokens shaped like the provider's: `base64url(header).base64url(payload).base64url(signature)`.
enum JWTShape {
    /// The provider's header, byte for byte: it encodes to `eyJhbGciOiJIUzUxMiJ9` as in the document.
    static let header = #"{"alg":"HS512"}"#

    /// A token whose payload carries `sub`, `iat` and `exp` in whole seconds.
    ///
    /// `exp` is rounded down, so a client that refreshes by `exp` never holds
    /// a token past the instant the sandbox stops accepting it.
    static func token(subject: String, issuedAt: Date, expiresAt: Date) -> String {
        let iat = Int(issuedAt.timeIntervalSince1970.rounded(.down))
        let exp = Int(expiresAt.timeIntervalSince1970.rounded(.down))
        let payload = #"{"sub":\#(jsonString(subject)),"iat":\#(iat),"exp":\#(exp)}"#
        var signature = [UInt8](repeating: 0, count: 64)
        var generator = SystemRandom()
        for index in signature.indices { signature[index] = generator.next() }
        return [Data(header.utf8), Data(payload.utf8), Data(signature)]
            .map(base64URL)
            .joined(separator: ".")
    }

    /// Unpadded base64url, as JWTs use.
    static func base64URL(_ data: Data) -> String {
        String(data.base64EncodedString().compactMap { character -> Character? in
            switch character {
            case "+": "-"
            case "/": "_"
            case "=": nil
            default: character
            }
        })
    }

    private static func jsonString(_ value: String) -> String {
        // Encoding a lone string cannot fail; the fallback only keeps the payload well formed.
        (try? JSONEncoder().encode(value)).flatMap { String(decoding: $0, as: UTF8.self) } ?? #""""#
    }
}

extension Duration {
    /// The duration in seconds as Foundation counts them.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Whole seconds, rounded up so a sub-second timeout is not reported as `0`.
    var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
