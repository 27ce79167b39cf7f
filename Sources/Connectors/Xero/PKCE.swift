import Cryptography

/// Proof Key for Code Exchange (RFC 7636) with S256: a random verifier kept
/// (sealed) until the code comes back, and its SHA-256 sent with the request.
public struct PKCE: Sendable {
    /// 43 characters of base64url (32 random bytes): within the 43–128 the RFC allows.
    public let verifier: String

    public init(verifier: String) {
        self.verifier = verifier
    }

    public static func generate() -> PKCE {
        PKCE(verifier: Base64URL.encode(SecureRandom.bytes(32)))
    }

    public var challenge: String { Base64URL.encode(Digest.sha256(Array(verifier.utf8))) }
}
