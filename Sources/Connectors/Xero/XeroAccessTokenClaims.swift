import Foundation

/// What an access token says about itself, for display only.
///
/// Xero's access tokens are JWTs whose payload carries `exp` and `scope`.
/// Clients are told to treat them as opaque, and nothing here checks a
/// signature, so these claims decide nothing: they fill in a connection's
/// expiry and scopes when tokens are imported without them, and Xero's answer
/// to a real call remains the only test of a token. The token itself is never
/// kept or described.
public struct XeroAccessTokenClaims: Sendable, Equatable {
    public let expiresAt: Date?
    public let scopes: [String]

    /// nil when the token is not a JWT with a JSON payload.
    public init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Self.base64URLDecoded(parts[1]),
              let claims = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any] else { return nil }
        expiresAt = (claims["exp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
        // An array in Xero's tokens; a space-separated string is the other form OAuth servers use.
        if let list = claims["scope"] as? [String] {
            scopes = list
        } else if let text = claims["scope"] as? String {
            scopes = text.split(separator: " ").map(String.init)
        } else {
            scopes = []
        }
    }

    static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
