import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

extension SyncService {
    /// Paused or not, the running run, the last run and its outcome, the next
    /// scheduled times, the connections' health, the tenant's queue depth.
    func status(_ tenant: UUID) async throws -> Ledgerbridge_V1_GetSyncStatusResponse {
        try await database.withTenant(tenant, readOnly: true) { tx in
            try await requireTenant(tx)
            var status = Ledgerbridge_V1_GetSyncStatusResponse()
            let lane = try await queue.lane(tenant: tenant, in: tx)
            status.paused = lane.paused
            status.pausedReason = lane.pausedReason ?? ""
            if let at = lane.pausedAt { status.pausedAt = timestamp(at) }
            if let row = try await tx.query("""
                SELECT \(unescaped: SyncRunStore.columns) FROM sync_runs WHERE tenant_id = \(tenant) AND state = 'running'
                    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = sync_runs.job_id AND j.state IN ('discarded', 'cancelled'))
                ORDER BY started_at DESC LIMIT 1
                """).first {
                var run = try SyncRunStore.message(row)
                try await SyncRunStore.attachProgress(tx, to: &run, run: try row.decode(UUID.self, at: 0))
                status.running = run
            }
            if let row = try await tx.query("""
                SELECT \(unescaped: SyncRunStore.columns) FROM sync_runs WHERE tenant_id = \(tenant) AND state IN ('succeeded', 'failed', 'cancelled')
                ORDER BY finished_at DESC NULLS LAST LIMIT 1
                """).first {
                var run = try SyncRunStore.message(row)
                try await SyncRunStore.attachProgress(tx, to: &run, run: try row.decode(UUID.self, at: 0))
                status.lastRun = run
            }
            for schedule in try await queue.schedules(tenant: tenant, in: tx) {
                switch schedule.kind {
                case .incremental:
                    status.nextIncrementalAt = timestamp(schedule.nextAt)
                    status.intervalMinutes = Int32(clamping: max(1, schedule.everySeconds / 60))
                case .full: status.nextFullAt = timestamp(schedule.nextAt)
                case .keepalive: break
                }
            }
            status.connections = try await tx.query("""
                SELECT provider, status, last_error, access_expires_at FROM connections WHERE tenant_id = \(tenant) AND status <> 'revoked' ORDER BY provider
                """).map { row in
                var health = Ledgerbridge_V1_ConnectionHealth()
                health.provider = try row.decode(String.self, at: 0) == "xero" ? .xero : .cin7Core
                health.status = ConnectionService.status(try row.decode(String.self, at: 1))
                health.lastError = try row.decode(String?.self, at: 2) ?? ""
                if let at = try row.decode(Date?.self, at: 3) { health.accessExpiresAt = timestamp(at) }
                return health
            }
            status.queuedJobs = Int32(clamping: try await queue.pendingCount(tenant: tenant, in: tx))
            return status
        }
    }
}
