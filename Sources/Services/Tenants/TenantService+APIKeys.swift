import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// API keys: random 256-bit secrets shown once, kept as SHA-256 hashes, found
/// by a short key id, revocable. Who may do what:
/// - a tenant's keys: operators and the tenant's consultants (audited in the tenant's log);
/// - a new consultant or operator with its first key, or another key for an
///   existing one: operators only; consultants list and revoke their own.
extension TenantService {
    func registerAPIKeys(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/CreateApiKey") { (request: Ledgerbridge_V1_CreateApiKeyRequest, _) in
            try await createKey(request)
        }
        registry.unary("/\(Self.name)/ListApiKeys") { (request: Ledgerbridge_V1_ListApiKeysRequest, _) in
            try await listKeys(request)
        }
        registry.unary("/\(Self.name)/RevokeApiKey") { (request: Ledgerbridge_V1_RevokeApiKeyRequest, _) in
            try await revokeKey(request)
        }
    }

    static let keyColumns: StaticString = """
        k.key_id, k.name, k.created_at, k.last_used_at, k.revoked_at, p.id AS principal_id, p.kind, p.name AS principal_name, p.tenant_id
        """

    func createKey(_ request: Ledgerbridge_V1_CreateApiKeyRequest) async throws -> Ledgerbridge_V1_CreateApiKeyResponse {
        let caller = try Principal.requireStaff("create API keys")
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else { throw RPCError.invalidField("name", "must be 1 to 200 characters") }
        let token = APIKeyToken.generate()
        let keyID = token.keyID, hash = Data(token.secretHash)
        let row: PostgresRow
        if !request.tenantID.isEmpty {
            guard request.kind == .unspecified || request.kind == .tenant else {
                throw RPCError.invalidField("kind", "a key for a tenant is a TENANT key; leave tenant_id empty for a consultant or operator")
            }
            let tenant = try Self.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            row = try await database.withTenant(tenant) { tx in
                let principal = try await tx.query("""
                    SELECT p.id FROM principals p JOIN tenants t ON t.id = p.tenant_id
                    WHERE p.tenant_id = \(tenant) AND p.kind = 'tenant' AND t.status <> 'deleted'
                    """)
                guard let principalID = try principal.first?.decode(UUID.self, at: 0) else { throw RPCError(.notFound, "no tenant \(tenant.lowercaseText)") }
                try await tx.query("""
                    INSERT INTO api_keys (key_id, principal_id, name, secret_sha256, created_by) VALUES (\(keyID), \(principalID), \(name), \(hash), \(Self.rowID(caller)))
                    """)
                try await Self.audit(tx, caller, "api_key.created", ["key_id": keyID, "name": name])
                return try await Self.key(keyID, in: tx)
            }
        } else {
            try Principal.requireOperator("create consultant or operator keys")
            let existing = request.principalID.isEmpty ? nil : try Self.tenantID(request.principalID, field: "principal_id")
            let kind: String
            switch request.kind {
            case .consultant: kind = "consultant"
            case .operator: kind = "operator"
            case .unspecified where existing != nil: kind = ""
            default: throw RPCError.invalidField("kind", "give tenant_id for a tenant key, or kind CONSULTANT or OPERATOR (or principal_id)")
            }
            let principalName = request.principalName.trimmingCharacters(in: .whitespacesAndNewlines)
            if existing == nil, !(1...200).contains(principalName.count) {
                throw RPCError.invalidField("principal_name", "name the new \(kind) (1 to 200 characters)")
            }
            row = try await database.withPlatform { tx in
                let principalID: UUID
                if let existing {
                    let found = try await tx.query("SELECT kind FROM principals WHERE id = \(existing)")
                    guard let foundKind = try found.first?.decode(String.self, at: 0), foundKind != "tenant" else {
                        throw RPCError(.notFound, "no consultant or operator \(existing.lowercaseText)")
                    }
                    principalID = existing
                } else {
                    principalID = UUID()
                    try await tx.query("INSERT INTO principals (id, kind, name) VALUES (\(principalID), \(kind), \(principalName))")
                }
                try await tx.query("""
                    INSERT INTO api_keys (key_id, principal_id, name, secret_sha256, created_by) VALUES (\(keyID), \(principalID), \(name), \(hash), \(Self.rowID(caller)))
                    """)
                return try await Self.key(keyID, in: tx)
            }
        }
        var response = Ledgerbridge_V1_CreateApiKeyResponse()
        response.apiKey = try Self.keyMessage(row)
        response.secret = token.token
        return response
    }

    func listKeys(_ request: Ledgerbridge_V1_ListApiKeysRequest) async throws -> Ledgerbridge_V1_ListApiKeysResponse {
        let caller = try Principal.requireStaff("list API keys")
        let revoked = request.includeRevoked
        let rows: PostgresQueryResult
        if !request.tenantID.isEmpty {
            let tenant = try Self.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            rows = try await database.withPlatform(readOnly: true) { tx in
                try await tx.query("""
                    SELECT \(unescaped: Self.keyColumns) FROM api_keys k JOIN principals p ON p.id = k.principal_id
                    WHERE p.tenant_id = \(tenant) AND (\(revoked) OR k.revoked_at IS NULL) ORDER BY k.created_at, k.key_id LIMIT 1000
                    """)
            }
        } else {
            // Operators: every key; consultants: their own.
            let own: UUID? = caller.isOperator ? nil : caller.id
            rows = try await database.withPlatform(readOnly: true) { tx in
                try await tx.query("""
                    SELECT \(unescaped: Self.keyColumns) FROM api_keys k JOIN principals p ON p.id = k.principal_id
                    WHERE (\(own)::uuid IS NULL OR p.id = \(own)) AND (\(revoked) OR k.revoked_at IS NULL) ORDER BY k.created_at, k.key_id LIMIT 1000
                    """)
            }
        }
        var response = Ledgerbridge_V1_ListApiKeysResponse()
        response.apiKeys = try rows.map(Self.keyMessage)
        return response
    }

    func revokeKey(_ request: Ledgerbridge_V1_RevokeApiKeyRequest) async throws -> Ledgerbridge_V1_RevokeApiKeyResponse {
        let caller = try Principal.requireStaff("revoke API keys")
        let keyID = request.keyID
        let found = try await database.withPlatform(readOnly: true) { tx in
            try await tx.query("SELECT p.id, p.tenant_id FROM api_keys k JOIN principals p ON p.id = k.principal_id WHERE k.key_id = \(keyID)")
        }
        let notFound = RPCError(.notFound, "no API key \(keyID)")
        guard let owner = found.first else { throw notFound }
        let ownerID = try owner.decode(UUID.self, at: 0), tenant = try owner.decode(UUID?.self, at: 1)
        // Out of reach reads as missing, as for tenants.
        if let tenant { guard caller.mayAct(on: tenant) else { throw notFound } } else if !caller.isOperator, ownerID != caller.id { throw notFound }
        let revoke: PostgresQuery = "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = \(keyID)"
        let row: PostgresRow
        if let tenant {
            row = try await database.withTenant(tenant) { tx in
                try await tx.query(revoke)
                try await Self.audit(tx, caller, "api_key.revoked", ["key_id": keyID])
                return try await Self.key(keyID, in: tx)
            }
        } else {
            row = try await database.withPlatform { tx in
                try await tx.query(revoke)
                return try await Self.key(keyID, in: tx)
            }
        }
        var response = Ledgerbridge_V1_RevokeApiKeyResponse()
        response.apiKey = try Self.keyMessage(row)
        return response
    }

    /// The bootstrap operator has no row: its keys record no creator.
    static func rowID(_ principal: Principal) -> UUID? {
        principal == .bootstrapOperator ? nil : principal.id
    }

    static func key<S>(_ keyID: String, in tx: ScopedTransaction<S>) async throws -> PostgresRow {
        try await tx.query("SELECT \(unescaped: keyColumns) FROM api_keys k JOIN principals p ON p.id = k.principal_id WHERE k.key_id = \(keyID)")[0]
    }

    static func keyMessage(_ row: PostgresRow) throws -> Ledgerbridge_V1_ApiKey {
        var key = Ledgerbridge_V1_ApiKey()
        key.keyID = try row.decode(String.self, named: "key_id")
        key.name = try row.decode(String.self, named: "name")
        key.principalID = try row.decode(UUID.self, named: "principal_id").lowercaseText
        key.principalKind = switch try row.decode(String.self, named: "kind") {
        case "operator": .operator
        case "consultant": .consultant
        case "tenant": .tenant
        default: .unspecified
        }
        key.principalName = try row.decode(String.self, named: "principal_name")
        key.tenantID = try row.decode(UUID?.self, named: "tenant_id")?.lowercaseText ?? ""
        key.createdAt = timestamp(try row.decode(Date.self, named: "created_at"))
        if let used = try row.decode(Date?.self, named: "last_used_at") { key.lastUsedAt = timestamp(used) }
        if let revoked = try row.decode(Date?.self, named: "revoked_at") { key.revokedAt = timestamp(revoked) }
        return key
    }
}
