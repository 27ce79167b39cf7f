import Foundation
import Postgres
import RPCMessages
import Storage

/// The tenant-owned rows of sync runs (0006_sync_runs.sql), read and written
/// inside the caller's tenant transaction.
enum SyncRunStore {
    /// The run's columns, with its state as the job's fate shows it: a run
    /// whose job was discarded (its process died on the last attempt, so no
    /// body wrote the outcome) reads as failed, with the job's last error.
    static let columns: StaticString = """
        id, tenant_id, kind, trigger, entities,
        CASE WHEN state IN ('queued', 'running', 'retrying')
            THEN coalesce((SELECT CASE j.state WHEN 'discarded' THEN 'failed' WHEN 'cancelled' THEN 'cancelled' END FROM jobs j WHERE j.id = sync_runs.job_id), state)
            ELSE state END,
        CASE WHEN state IN ('queued', 'running', 'retrying')
            THEN coalesce((SELECT j.last_error FROM jobs j WHERE j.id = sync_runs.job_id AND j.state IN ('discarded', 'cancelled')), message)
            ELSE message END,
        attempts, created_at, started_at, finished_at, requested_by
        """

    static func createQueued(_ tx: TenantTransaction, run: UUID, job: Int64, kind: SyncRequest.Kind, trigger: String,
                             entities: [SyncEntityRule], requestedBy: String) async throws {
        try await tx.query("""
            INSERT INTO sync_runs (tenant_id, id, job_id, kind, trigger, entities, state, requested_by)
            VALUES (\(tx.tenantID), \(run), \(job), \(kind.rawValue), \(trigger), \(entities.map(\.rawValue)), 'queued', \(requestedBy))
            ON CONFLICT (tenant_id, id) DO NOTHING
            """)
    }

    /// The run starts (or starts again, on a retry); a scheduled run's row is made here.
    static func start(_ tx: TenantTransaction, run: UUID, job: Int64, kind: SyncRequest.Kind, trigger: String,
                      entities: [SyncEntityRule], attempt: Int) async throws {
        try await tx.query("""
            INSERT INTO sync_runs (tenant_id, id, job_id, kind, trigger, entities, state, requested_by, attempts, started_at)
            VALUES (\(tx.tenantID), \(run), \(job), \(kind.rawValue), \(trigger), \(entities.map(\.rawValue)), 'running', 'scheduler', \(attempt), clock_timestamp())
            ON CONFLICT (tenant_id, id) DO UPDATE SET state = 'running', job_id = excluded.job_id, attempts = excluded.attempts,
                started_at = coalesce(sync_runs.started_at, excluded.started_at), message = NULL, updated_at = now()
            """)
    }

    static func finish(_ tx: TenantTransaction, run: UUID, state: String, message: String) async throws {
        try await tx.query("""
            UPDATE sync_runs SET state = \(state), message = \(message), updated_at = now(),
                finished_at = CASE WHEN \(state) IN ('succeeded', 'failed', 'cancelled') THEN clock_timestamp() END
            WHERE tenant_id = \(tx.tenantID) AND id = \(run)
            """)
    }

    static func progress(_ tx: TenantTransaction, run: UUID, entity: SyncEntityRule, counts: SyncEntityCounts) async throws {
        try await tx.query("""
            INSERT INTO sync_run_entities (tenant_id, run_id, entity, fetched, created, updated, skipped, failed)
            VALUES (\(tx.tenantID), \(run), \(entity.rawValue), \(counts.fetched), \(counts.created), \(counts.updated), \(counts.skipped), \(counts.failed))
            ON CONFLICT (tenant_id, run_id, entity) DO UPDATE SET fetched = excluded.fetched, created = excluded.created,
                updated = excluded.updated, skipped = excluded.skipped, failed = excluded.failed, updated_at = now()
            """)
        try await tx.query("UPDATE sync_runs SET updated_at = now() WHERE tenant_id = \(tx.tenantID) AND id = \(run)")
    }

    static func error(_ tx: TenantTransaction, run: UUID, entity: SyncEntityRule?, reference: String, message: String) async throws {
        try await tx.query("""
            INSERT INTO sync_run_errors (tenant_id, run_id, entity, reference, message)
            VALUES (\(tx.tenantID), \(run), \(entity?.rawValue ?? ""), \(reference), \(message))
            """)
        try await tx.query("UPDATE sync_runs SET updated_at = now() WHERE tenant_id = \(tx.tenantID) AND id = \(run)")
    }

    /// The run with its progress (and errors when asked), or nil.
    static func load(_ tx: TenantTransaction, run: UUID, errors: Bool = false) async throws -> Ledgerbridge_V1_SyncRun? {
        guard let row = try await tx.query("SELECT \(unescaped: columns) FROM sync_runs WHERE tenant_id = \(tx.tenantID) AND id = \(run)").first else {
            return nil
        }
        var message = try self.message(row)
        try await attachProgress(tx, to: &message, run: run)
        if errors {
            message.errors = try await tx.query("""
                SELECT entity, reference, message, at FROM sync_run_errors WHERE tenant_id = \(tx.tenantID) AND run_id = \(run) ORDER BY id LIMIT 1000
                """).map { row in
                var error = Ledgerbridge_V1_SyncError()
                error.entity = SyncEntityRule(rawValue: try row.decode(String.self, at: 0))?.message ?? .unspecified
                error.reference = try row.decode(String.self, at: 1)
                error.message = try row.decode(String.self, at: 2)
                error.at = timestamp(try row.decode(Date.self, at: 3))
                return error
            }
        }
        return message
    }

    static func attachProgress(_ tx: TenantTransaction, to message: inout Ledgerbridge_V1_SyncRun, run: UUID) async throws {
        message.progress = try await tx.query("""
            SELECT entity, fetched, created, updated, skipped, failed FROM sync_run_entities WHERE tenant_id = \(tx.tenantID) AND run_id = \(run) ORDER BY entity
            """).map { row in
            var progress = Ledgerbridge_V1_EntityProgress()
            progress.entity = SyncEntityRule(rawValue: try row.decode(String.self, at: 0))?.message ?? .unspecified
            progress.fetched = Int32(clamping: try row.decode(Int.self, at: 1))
            progress.created = Int32(clamping: try row.decode(Int.self, at: 2))
            progress.updated = Int32(clamping: try row.decode(Int.self, at: 3))
            progress.skipped = Int32(clamping: try row.decode(Int.self, at: 4))
            progress.failed = Int32(clamping: try row.decode(Int.self, at: 5))
            return progress
        }
    }

    static func message(_ row: PostgresRow) throws -> Ledgerbridge_V1_SyncRun {
        var run = Ledgerbridge_V1_SyncRun()
        run.runID = try row.decode(UUID.self, at: 0).lowercaseText
        run.tenantID = try row.decode(UUID.self, at: 1).lowercaseText
        run.kind = switch try row.decode(String.self, at: 2) {
        case "incremental": .incremental
        case "full": .full
        case "entity": .entity
        default: .webhook
        }
        run.trigger = switch try row.decode(String.self, at: 3) {
        case "manual": .manual
        case "schedule": .schedule
        default: .webhook
        }
        run.entities = try row.decode([String].self, at: 4).compactMap { SyncEntityRule(rawValue: $0)?.message }
        run.state = state(try row.decode(String.self, at: 5))
        run.message = try row.decode(String?.self, at: 6) ?? ""
        run.attempts = Int32(clamping: try row.decode(Int.self, at: 7))
        run.createdAt = timestamp(try row.decode(Date.self, at: 8))
        if let at = try row.decode(Date?.self, at: 9) { run.startedAt = timestamp(at) }
        if let at = try row.decode(Date?.self, at: 10) { run.finishedAt = timestamp(at) }
        run.requestedBy = try row.decode(String?.self, at: 11) ?? ""
        return run
    }

    static func state(_ text: String) -> Ledgerbridge_V1_SyncRunState {
        switch text {
        case "queued": .queued
        case "running": .running
        case "retrying": .retrying
        case "succeeded": .succeeded
        case "failed": .failed
        case "cancelled": .cancelled
        default: .unspecified
        }
    }

    static func isFinal(_ state: Ledgerbridge_V1_SyncRunState) -> Bool {
        state == .succeeded || state == .failed || state == .cancelled
    }
}
