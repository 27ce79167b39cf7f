import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// Reading runs: a page of them, one with its errors, and one as it changes.
extension SyncService {
    func registerRuns(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/ListSyncRuns") { (request: Ledgerbridge_V1_ListSyncRunsRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            guard request.pageSize >= 0 else { throw RPCError.invalidField("page_size", "must not be negative") }
            let size = request.pageSize == 0 ? 50 : min(Int(request.pageSize), 500)
            let after = try PageToken.decode(request.pageToken)
            return try await database.withTenant(tenant, readOnly: true) { tx in
                try await requireTenant(tx)
                // Keyset paging, newest first: stable while runs are added.
                let rows = try await tx.query("""
                    SELECT \(unescaped: SyncRunStore.columns) FROM sync_runs
                    WHERE tenant_id = \(tenant) AND (\(after == nil) OR (created_at, id) < (\(after?.createdAt ?? Date()), \(after?.id ?? UUID())))
                    ORDER BY created_at DESC, id DESC LIMIT \(size + 1)
                    """)
                var response = Ledgerbridge_V1_ListSyncRunsResponse()
                for row in rows.prefix(size) {
                    var run = try SyncRunStore.message(row)
                    try await SyncRunStore.attachProgress(tx, to: &run, run: try row.decode(UUID.self, at: 0))
                    response.runs.append(run)
                }
                if rows.count > size, let last = rows.prefix(size).last {
                    response.nextPageToken = PageToken(createdAt: try last.decode(Date.self, at: 8), id: try last.decode(UUID.self, at: 0)).encoded
                }
                return response
            }
        }
        registry.unary("/\(Self.name)/GetSyncRun") { (request: Ledgerbridge_V1_GetSyncRunRequest, _) in
            let (tenant, run) = try Self.runAddress(request.tenantID, request.runID)
            var response = Ledgerbridge_V1_GetSyncRunResponse()
            response.run = try await load(tenant: tenant, run: run, errors: true)
            return response
        }
        registry.serverStreaming("/\(Self.name)/WatchSyncRun") { (request: Ledgerbridge_V1_WatchSyncRunRequest, _, writer: RPCStreamWriter<Ledgerbridge_V1_SyncRunEvent>) in
            let (tenant, run) = try Self.runAddress(request.tenantID, request.runID)
            var last: Ledgerbridge_V1_SyncRun?
            while true {
                let current = try await load(tenant: tenant, run: run, errors: false)
                let final = SyncRunStore.isFinal(current.state)
                if current != last || final {
                    var event = Ledgerbridge_V1_SyncRunEvent()
                    event.run = current
                    event.final = final
                    try await writer.send(event)
                    last = current
                }
                if final { return }
                try await Task.sleep(for: watchInterval)
            }
        }
    }

    static func runAddress(_ tenantText: String, _ runText: String) throws -> (UUID, UUID) {
        let tenant = try TenantService.tenantID(tenantText)
        try Principal.requireAccess(to: tenant)
        guard let run = UUID(uuidString: runText) else { throw RPCError.invalidField("run_id", "must be a UUID") }
        return (tenant, run)
    }

    func load(tenant: UUID, run: UUID, errors: Bool) async throws -> Ledgerbridge_V1_SyncRun {
        let found = try await database.withTenant(tenant, readOnly: true) { tx in try await SyncRunStore.load(tx, run: run, errors: errors) }
        guard let found else { throw RPCError(.notFound, "no sync run \(run.lowercaseText)") }
        return found
    }
}
