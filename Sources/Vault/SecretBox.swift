import Cryptography
import Foundation

/// Encrypts secrets for storage (AES-256-GCM, a random 96-bit nonce each
/// time, the `SecretContext` as additional data) and opens them again with
/// whichever key of the ring sealed them. The sealed form says which key:
///
///     version (1) | key id length (1) | key id | nonce (12) | ciphertext | tag (16)
public struct SecretBox: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// Not something this box sealed (too short, unknown version).
        case malformed
        /// Sealed with a key this ring no longer (or never) had.
        case unknownKey(String)
        /// Tampered with, or moved to another tenant, connection, provider or field.
        case authenticationFailed

        // Never the secret or the key: only what went wrong.
        public var description: String {
            switch self {
            case .malformed: "the sealed secret is malformed"
            case .unknownKey(let id): "the sealed secret needs key \(id), which the key ring does not have"
            case .authenticationFailed: "the sealed secret does not belong here or was altered"
            }
        }
    }

    static let version: UInt8 = 1
    public let ring: KeyRing

    public init(ring: KeyRing) {
        self.ring = ring
    }

    public func seal(_ secret: String, for context: SecretContext) -> [UInt8] {
        seal(Array(secret.utf8), for: context)
    }

    public func seal(_ secret: [UInt8], for context: SecretContext) -> [UInt8] {
        let key = ring.active
        let nonce = SecureRandom.bytes(AESGCM.nonceSize)
        let sealed = try! AESGCM.seal(secret, key: key.material, nonce: nonce, additionalData: context.additionalData(keyID: key.id))
        return [Self.version, UInt8(key.id.utf8.count)] + Array(key.id.utf8) + nonce + sealed
    }

    public func openString(_ sealed: [UInt8], for context: SecretContext) throws(Failure) -> String {
        String(decoding: try open(sealed, for: context), as: UTF8.self)
    }

    public func open(_ sealed: [UInt8], for context: SecretContext) throws(Failure) -> [UInt8] {
        let keyID = try Self.keyID(of: sealed)
        guard let key = ring.key(keyID) else { throw .unknownKey(keyID) }
        let start = 2 + keyID.utf8.count
        let nonce = Array(sealed[start..<start + AESGCM.nonceSize])
        do {
            return try AESGCM.open(Array(sealed[(start + AESGCM.nonceSize)...]), key: key.material, nonce: nonce,
                                   additionalData: context.additionalData(keyID: keyID))
        } catch {
            throw .authenticationFailed
        }
    }

    /// Which key sealed this (for rotation: what still needs re-encrypting).
    public static func keyID(of sealed: [UInt8]) throws(Failure) -> String {
        guard sealed.count >= 2, sealed[0] == version else { throw .malformed }
        let length = Int(sealed[1])
        guard length > 0, sealed.count >= 2 + length + AESGCM.nonceSize + AESGCM.tagSize else { throw .malformed }
        return String(decoding: sealed[2..<2 + length], as: UTF8.self)
    }

    /// Whether this was sealed by an older key than the active one.
    public func needsRotation(_ sealed: [UInt8]) -> Bool {
        (try? Self.keyID(of: sealed)) != ring.activeID
    }

    /// Opens with the old key and seals with the active one.
    public func reseal(_ sealed: [UInt8], for context: SecretContext) throws(Failure) -> [UInt8] {
        seal(try open(sealed, for: context), for: context)
    }
}
