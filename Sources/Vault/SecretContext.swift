import Foundation

/// Where a secret belongs: authenticated with every encryption, so a
/// ciphertext copied to another tenant, connection, provider or field fails
/// to decrypt instead of yielding someone else's token.
public struct SecretContext: Sendable, Equatable {
    public let tenantID: UUID
    public let connectionID: UUID
    public let provider: String
    public let field: String

    public init(tenantID: UUID, connectionID: UUID, provider: String, field: String) {
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.provider = provider
        self.field = field
    }

    /// The additional authenticated data: versioned, unambiguous (length-prefixed parts).
    func additionalData(keyID: String) -> [UInt8] {
        var bytes = Array("ledgerbridge.secret.v1".utf8)
        for part in [tenantID.uuidString.lowercased(), connectionID.uuidString.lowercased(), provider, field, keyID] {
            let utf8 = Array(part.utf8)
            bytes += withUnsafeBytes(of: UInt16(utf8.count).bigEndian, Array.init) + utf8
        }
        return bytes
    }
}
