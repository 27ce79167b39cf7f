import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// Renaming, suspending, resuming and (softly) deleting a tenant: each a
/// status change in the registry plus its audit event, in one transaction.
extension TenantService {
    func registerLifecycle(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/UpdateTenant") { (request: Ledgerbridge_V1_UpdateTenantRequest, _) in
            let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(name.count) else { throw RPCError.invalidField("name", "must be 1 to 200 characters") }
            var response = Ledgerbridge_V1_UpdateTenantResponse()
            response.tenant = try await change(request.tenantID, action: "tenant.renamed", detail: ["name": name], staffOnly: true) { tx, id in
                try await tx.query("UPDATE tenants SET name = \(name), updated_at = now() WHERE id = \(id) AND status <> 'deleted' RETURNING \(unescaped: Self.columns)")
            }
            return response
        }
        registry.unary("/\(Self.name)/SuspendTenant") { (request: Ledgerbridge_V1_SuspendTenantRequest, _) in
            var response = Ledgerbridge_V1_SuspendTenantResponse()
            response.tenant = try await setStatus(request.tenantID, to: "suspended", from: ["active", "suspended"], action: "tenant.suspended")
            return response
        }
        registry.unary("/\(Self.name)/ResumeTenant") { (request: Ledgerbridge_V1_ResumeTenantRequest, _) in
            var response = Ledgerbridge_V1_ResumeTenantResponse()
            response.tenant = try await setStatus(request.tenantID, to: "active", from: ["active", "suspended"], action: "tenant.resumed")
            return response
        }
        registry.unary("/\(Self.name)/DeleteTenant") { (request: Ledgerbridge_V1_DeleteTenantRequest, _) in
            try Principal.requireOperator("delete tenants")
            var response = Ledgerbridge_V1_DeleteTenantResponse()
            response.tenant = try await setStatus(request.tenantID, to: "deleted", from: ["active", "suspended", "deleted"], action: "tenant.deleted")
            return response
        }
    }

    /// Moves a tenant between statuses; FAILED_PRECONDITION from any other (a deleted tenant stays deleted).
    private func setStatus(_ tenantID: String, to status: String, from allowed: [String], action: String) async throws -> Ledgerbridge_V1_Tenant {
        try await change(tenantID, action: action, detail: ["status": status], staffOnly: true) { tx, id in
            let rows = try await tx.query("""
                UPDATE tenants SET status = \(status), updated_at = now() WHERE id = \(id) AND status = ANY(\(allowed))
                RETURNING \(unescaped: Self.columns)
                """)
            if rows.isEmpty, try await !tx.query("SELECT 1 FROM tenants WHERE id = \(id)").isEmpty {
                throw RPCError(.failedPrecondition, "tenant \(id.lowercaseText) is deleted")
            }
            return rows
        }
    }

    /// One authorized change to a tenant's registry row, audited in the same transaction.
    private func change(_ tenantID: String, action: String, detail: [String: String], staffOnly: Bool,
                        _ update: @escaping @Sendable (TenantTransaction, UUID) async throws -> PostgresQueryResult) async throws -> Ledgerbridge_V1_Tenant {
        let id = try Self.tenantID(tenantID)
        let caller = try Principal.requireAccess(to: id)
        if staffOnly { try Principal.requireStaff("change a tenant") }
        let row = try await database.withTenant(id) { tx in
            let rows = try await update(tx, id)
            guard let row = rows.first else { throw RPCError(.notFound, "no tenant \(id.lowercaseText)") }
            try await Self.audit(tx, caller, action, detail)
            return row
        }
        return try Self.message(from: row)
    }
}
