import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// Which consultant may act on which tenant: operators decide, the tenant's
/// audit log records it. A consultant's next call sees the change (the
/// assignments are read with the key on every call).
extension TenantService {
    func registerAssignments(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/AssignConsultant") { (request: Ledgerbridge_V1_AssignConsultantRequest, _) in
            try await assignment(request.tenantID, request.consultantID, assign: true)
            return Ledgerbridge_V1_AssignConsultantResponse()
        }
        registry.unary("/\(Self.name)/UnassignConsultant") { (request: Ledgerbridge_V1_UnassignConsultantRequest, _) in
            try await assignment(request.tenantID, request.consultantID, assign: false)
            return Ledgerbridge_V1_UnassignConsultantResponse()
        }
    }

    private func assignment(_ tenantText: String, _ consultantText: String, assign: Bool) async throws {
        let caller = try Principal.requireOperator("assign consultants")
        let tenant = try Self.tenantID(tenantText), consultant = try Self.tenantID(consultantText, field: "consultant_id")
        try await database.withTenant(tenant) { tx in
            guard try await !tx.query("SELECT 1 FROM tenants WHERE id = \(tenant) AND status <> 'deleted'").isEmpty else {
                throw RPCError(.notFound, "no tenant \(tenant.lowercaseText)")
            }
            guard try await !tx.query("SELECT 1 FROM principals WHERE id = \(consultant) AND kind = 'consultant'").isEmpty else {
                throw RPCError(.notFound, "no consultant \(consultant.lowercaseText)")
            }
            if assign {
                try await tx.query("""
                    INSERT INTO consultant_assignments (consultant_id, tenant_id, assigned_by) VALUES (\(consultant), \(tenant), \(Self.rowID(caller)))
                    ON CONFLICT DO NOTHING
                    """)
            } else {
                try await tx.query("DELETE FROM consultant_assignments WHERE consultant_id = \(consultant) AND tenant_id = \(tenant)")
            }
            try await Self.audit(tx, caller, assign ? "consultant.assigned" : "consultant.unassigned", ["consultant_id": consultant.lowercaseText])
        }
    }
}
