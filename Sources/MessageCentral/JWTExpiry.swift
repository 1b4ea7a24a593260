#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// Reads the `exp` claim of a JWT without checking its signature.
///
/// The client cannot check the HS512 signature (it lacks the provider's key)
/// and does not need to: it only wants to know when to fetch a new token. A
/// token the provider no longer accepts is handled by the 401 path anyway.
enum JWTExpiry {
    /// The `exp` claim in seconds since 1970, or `nil` when the token is not a
    /// JWT, its payload is not base64url JSON, or it has no numeric `exp`.
    ///
    /// - Parameter token: A compact JWS, `header.payload.signature`.
    static func expiry(of token: String) -> Int64? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 2, let payload = self.base64URLDecode(segments[1]) else { return nil }
        guard case .object(let claims)? = JSONValue(parsing: payload), let exp = claims["exp"] else { return nil }
        switch exp {
        case .integer(let value): return value
        case .double(let value): return Int64(exactly: value.rounded(.down))
        case .string(let text): return Int64(text)
        case .null, .bool, .array, .object: return nil
        }
    }

    /// Decodes base64url (RFC 4648 §5), with or without padding.
    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var base64 = String(text).replacing("-", with: "+").replacing("_", with: "/")
        let remainder = base64.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
