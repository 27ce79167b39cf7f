import Foundation
import Postgres
import Storage
import Vault

/// A connection's secrets at rest: sealed with the key ring's active key,
/// bound to tenant, connection, provider and field, stored in
/// `connection_secrets` inside the caller's tenant transaction. Plaintext
/// exists only in memory, on its way to or from the provider.
public struct CredentialVault: Sendable {
    public enum Field: String, Sendable, CaseIterable {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        /// The refresh token before the last rotation, for Xero's grace period.
        case previousRefreshToken = "previous_refresh_token"
        case applicationKey = "application_key"
        case pkceVerifier = "pkce_verifier"
    }

    public let keys: KeyRingProvider

    public init(keys: KeyRingProvider) {
        self.keys = keys
    }

    func context(_ tx: TenantTransaction, connection: UUID, provider: String, field: Field) -> SecretContext {
        SecretContext(tenantID: tx.tenantID, connectionID: connection, provider: provider, field: field.rawValue)
    }

    public func store(_ secrets: [Field: String], connection: UUID, provider: String, in tx: TenantTransaction) async throws {
        let box = keys.box
        for (field, secret) in secrets {
            let sealed = Data(box.seal(secret, for: context(tx, connection: connection, provider: provider, field: field)))
            try await tx.query("""
                INSERT INTO connection_secrets (tenant_id, connection_id, field, key_id, sealed) VALUES (\(tx.tenantID), \(connection), \(field.rawValue), \(box.ring.activeID), \(sealed))
                ON CONFLICT (tenant_id, connection_id, field) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, updated_at = now()
                """)
        }
    }

    /// The secret, or nil when none is stored. A value that fails to open
    /// (moved from another row, altered, or sealed by an unknown key) throws.
    public func load(_ field: Field, connection: UUID, provider: String, in tx: TenantTransaction) async throws -> String? {
        let rows = try await tx.query("""
            SELECT sealed FROM connection_secrets WHERE tenant_id = \(tx.tenantID) AND connection_id = \(connection) AND field = \(field.rawValue)
            """)
        guard let row = rows.first else { return nil }
        let sealed = try row.decode(Data.self, at: 0)
        let plain = try keys.open(Array(sealed), for: context(tx, connection: connection, provider: provider, field: field))
        return String(decoding: plain, as: UTF8.self)
    }

    public func erase(connection: UUID, fields: [Field] = Field.allCases, in tx: TenantTransaction) async throws {
        try await tx.query("""
            DELETE FROM connection_secrets WHERE tenant_id = \(tx.tenantID) AND connection_id = \(connection) AND field = ANY(\(fields.map(\.rawValue)))
            """)
    }

    /// Re-seals, under the active key, up to `batch` of this tenant's secrets
    /// sealed by the ring's older keys; returns how many. Rows are locked and
    /// skipped if busy (a refresh in flight rewrites them under the active key
    /// anyway), so it is safe beside a running server and safe to run twice.
    /// Secrets sealed by keys the ring no longer has are left alone (see `remaining`).
    public func rotate(tenant: UUID, database: Database, batch: Int = 200) async throws -> Int {
        let ring = keys.ring
        let older = ring.keys.map(\.id).filter { $0 != ring.activeID }
        guard !older.isEmpty else { return 0 }
        return try await database.withTenant(tenant) { tx in
            let rows = try await tx.query("""
                SELECT s.connection_id, s.field, s.sealed, c.provider FROM connection_secrets s
                JOIN connections c ON c.tenant_id = s.tenant_id AND c.id = s.connection_id
                WHERE s.tenant_id = \(tenant) AND s.key_id = ANY(\(older))
                ORDER BY s.connection_id, s.field LIMIT \(batch) FOR UPDATE OF s SKIP LOCKED
                """)
            let box = SecretBox(ring: ring)
            for row in rows {
                let connection = try row.decode(UUID.self, at: 0)
                guard let field = Field(rawValue: try row.decode(String.self, at: 1)) else { continue }
                let provider = try row.decode(String.self, at: 3)
                let secretContext = context(tx, connection: connection, provider: provider, field: field)
                let plain = try box.open(Array(try row.decode(Data.self, at: 2)), for: secretContext)
                try await tx.query("""
                    UPDATE connection_secrets SET key_id = \(ring.activeID), sealed = \(Data(box.seal(plain, for: secretContext))), updated_at = now()
                    WHERE tenant_id = \(tenant) AND connection_id = \(connection) AND field = \(field.rawValue)
                    """)
            }
            return rows.count
        }
    }

    /// Opens every secret of this tenant with the ring (nothing is changed):
    /// how many open, and how many do not (sealed by a key the ring lacks, or
    /// altered). What an operator checks before dropping an old key.
    public func verify(tenant: UUID, database: Database) async throws -> (opened: Int, failed: Int) {
        let ring = keys.ring
        return try await database.withTenant(tenant, readOnly: true) { tx in
            let rows = try await tx.query("""
                SELECT s.connection_id, s.field, s.sealed, c.provider FROM connection_secrets s
                JOIN connections c ON c.tenant_id = s.tenant_id AND c.id = s.connection_id WHERE s.tenant_id = \(tenant)
                """)
            let box = SecretBox(ring: ring)
            var opened = 0
            for row in rows {
                let context = SecretContext(tenantID: tenant, connectionID: try row.decode(UUID.self, at: 0), provider: try row.decode(String.self, at: 3),
                                            field: try row.decode(String.self, at: 1))
                if (try? box.open(Array(try row.decode(Data.self, at: 2)), for: context)) != nil { opened += 1 }
            }
            return (opened, rows.count - opened)
        }
    }

    /// This tenant's secrets not under the active key: those an older key of
    /// the ring can still re-seal, and those sealed by keys the ring lacks
    /// (unreadable until that key is put back).
    public func remaining(tenant: UUID, database: Database) async throws -> (rotatable: Int, unknownKey: Int) {
        let ring = keys.ring
        let known = ring.keys.map(\.id)
        return try await database.withTenant(tenant, readOnly: true) { tx in
            let row = try await tx.query("""
                SELECT count(*) FILTER (WHERE key_id = ANY(\(known))), count(*) FILTER (WHERE NOT key_id = ANY(\(known)))
                FROM connection_secrets WHERE tenant_id = \(tenant) AND key_id <> \(ring.activeID)
                """)[0]
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }
    }
}
