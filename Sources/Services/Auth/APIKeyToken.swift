import Connectors
import Cryptography
import Foundation

/// An API key as the caller holds it: `lb_<key id>_<secret>`. The key id (12
/// lower-case letters and digits) finds the row; the secret (256 random bits,
/// base64url) is checked against the SHA-256 stored there. A 256-bit random
/// secret needs no slow password hash: there is nothing to guess.
public struct APIKeyToken: Sendable {
    public let keyID: String
    private let secret: [UInt8]

    /// The string shown once to its owner.
    public var token: String { "lb_\(keyID)_\(Base64URL.encode(secret))" }

    /// What is stored.
    public var secretHash: [UInt8] { Digest.sha256(secret) }

    public static func generate() -> APIKeyToken {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // 36^12 ids; a collision only makes the insert fail and the caller retry.
        let id = SecureRandom.bytes(12).map { alphabet[Int($0) % alphabet.count] }
        return APIKeyToken(keyID: String(decoding: id, as: UTF8.self), secret: SecureRandom.bytes(32))
    }

    /// The key id and the hash of the secret of a presented token, or nil when it has not the shape of one.
    public static func parse(_ token: String) -> (keyID: String, secretHash: [UInt8])? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lb", parts[1].utf8.count == 12,
              parts[1].utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let secret = decodeBase64URL(String(parts[2])), secret.count == 32 else { return nil }
        return (String(parts[1]), Digest.sha256(secret))
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
