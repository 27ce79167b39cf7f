import Cryptography
import Foundation
import Postgres
import Storage

/// Finds the principal behind an API key: one platform read by key id, the
/// secret's hash compared in constant time, a consultant's assignments with it.
public struct PrincipalDirectory: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// nil for an unknown, revoked or wrong key, or a key of a deleted tenant —
    /// the caller cannot tell which, by design.
    public func resolve(token: String) async throws -> Principal? {
        guard let (keyID, presentedHash) = APIKeyToken.parse(token) else { return nil }
        let rows = try await database.withPlatform(readOnly: true) { tx in
            try await tx.query("""
                SELECT k.secret_sha256, k.last_used_at, p.id, p.kind, p.name, p.tenant_id, t.status AS tenant_status,
                       coalesce((SELECT array_agg(a.tenant_id) FROM consultant_assignments a WHERE a.consultant_id = p.id), '{}') AS assigned
                FROM api_keys k JOIN principals p ON p.id = k.principal_id LEFT JOIN tenants t ON t.id = p.tenant_id
                WHERE k.key_id = \(keyID) AND k.revoked_at IS NULL
                """)
        }
        guard let row = rows.first else { return nil }
        let stored = try row.decode(Data.self, named: "secret_sha256")
        guard HMAC.constantTimeEquals(Array(stored), presentedHash) else { return nil }
        if let status = try row.decode(String?.self, named: "tenant_status"), status == "deleted" { return nil }
        guard let kind = Principal.Kind(rawValue: try row.decode(String.self, named: "kind")) else { return nil }
        let lastUsed = try row.decode(Date?.self, named: "last_used_at")
        // Record use at most once a minute per key: a write per call would cost more than the call.
        if lastUsed.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
            _ = try? await database.withPlatform { tx in
                try await tx.query("UPDATE api_keys SET last_used_at = now() WHERE key_id = \(keyID)")
            }
        }
        return Principal(id: try row.decode(UUID.self, named: "id"), kind: kind, name: try row.decode(String.self, named: "name"),
                         tenantID: try row.decode(UUID?.self, named: "tenant_id"),
                         assignedTenants: Set(try row.decode([UUID].self, named: "assigned")))
    }
}
