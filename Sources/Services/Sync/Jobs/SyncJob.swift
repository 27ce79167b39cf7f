import Foundation
import Logging
import Postgres
import Scheduler
import Storage

/// The body of the sync kinds (`sync.incremental`, `sync.full`,
/// `sync.entity`, `webhook.process`): one sync run.
///
/// 1. In the tenant's transaction: load the settings, check the
///    connections, mark the run running. A connection that needs a new
///    consent pauses the tenant's syncs (a clear status instead of a run
///    failing every 15 minutes) and ends the run as failed, saying why.
/// 2. The sync engine runs the entity types (progress lands as it goes).
/// 3. In the tenant's transaction: the run's outcome and the job's
///    completion commit together, so a run is finished exactly once even if
///    the process dies at any instant (it is then run again, whole).
struct SyncJob: Sendable {
    static let kinds: [String: SyncRequest.Kind] = [
        "sync.incremental": .incremental, "sync.full": .full, "sync.entity": .entity, "webhook.process": .webhook,
    ]

    let database: Database
    let queue: JobQueue
    let engine: any SyncEngine

    func run(_ context: JobContext) async throws -> JobOutcome {
        let job = context.job
        let tenant = job.tenantID
        guard let kind = Self.kinds[job.kind] else { return .discarded("not a sync kind: \(job.kind)") }
        guard let run = job.runID else { return .discarded("a sync job without a run id") }
        let args = job.args
        let trigger = args["trigger"] as? String ?? "manual"  // the schedule says so; an operator's EnqueueJob is a request
        let named = (args["entities"] as? [String] ?? []).compactMap(SyncEntityRule.init(rawValue:))

        // A scheduled sync of a tenant with nothing connected has nothing to do: it leaves no run behind
        // (four a day per tenant would bury the runs that matter). A sync someone asked for always has one.
        if trigger == "schedule" {
            let idle = try await database.withTenant(tenant) { tx in
                let live = try await tx.query("SELECT 1 FROM connections WHERE tenant_id = \(tenant) AND status IN ('connected', 'needs_reauth') LIMIT 1")
                guard live.isEmpty else { return false }
                // Only a SyncNow that joined this scheduled run made its row; that caller learns why nothing ran.
                try await SyncRunStore.finish(tx, run: run, state: "succeeded",
                                              message: "nothing to sync: the tenant has no connected Xero organisation or Cin7 Core account")
                try await context.complete(in: tx)
                return true
            }
            if idle { return .completedInTransaction }
        }
        let start: (request: SyncRequest, blocked: String?) = try await database.withTenant(tenant) { tx in
            let settings = try await SyncService.settings(tx)
            let entities = named.isEmpty ? settings.enabledEntities : named.filter { settings.entities[$0]?.enabled ?? false }
            try await SyncRunStore.start(tx, run: run, job: job.id, kind: kind, trigger: trigger, entities: named, attempt: job.attempt)
            let blocked = try await tx.query("""
                SELECT provider FROM connections WHERE tenant_id = \(tenant) AND status = 'needs_reauth' ORDER BY provider LIMIT 1
                """).first.map { try $0.decode(String.self, at: 0) }
            return (SyncRequest(tenantID: tenant, runID: run, kind: kind, entities: entities, settings: settings), blocked)
        }
        if let provider = start.blocked {
            let name = provider == "xero" ? "Xero" : "Cin7 Core"
            try await database.withTenant(tenant) { tx in
                try await queue.pause(tenant: tenant, reason: "needs_reauth: the \(name) connection needs a new consent", in: tx)
                try await SyncRunStore.finish(tx, run: run, state: "failed",
                                              message: "not run: the \(name) connection needs a new consent; syncs are paused until it is reconnected and ResumeSync is called")
                try await TenantService.audit(tx, .scheduler, "sync.paused", ["reason": "needs_reauth", "provider": provider])
                try await context.complete(in: tx)
            }
            return .completedInTransaction
        }

        let result: SyncResult
        do {
            result = try await engine.run(start.request, progress: RunProgress(database: database, tenant: tenant, run: run))
        } catch {
            let reason = await context.stopReason()
            let (state, message): (String, String) = switch reason {
            case .requested: ("cancelled", "cancelled by request")
            case .draining, .leaseLost: ("queued", "interrupted: this server stopped; another will run it")
            case .timedOut: (job.isLastAttempt ? "failed" : "retrying", "timed out after \(job.timeoutSeconds) s")
            case nil: (job.isLastAttempt ? "failed" : "retrying", String(describing: error))
            }
            // The job's task is cancelled by now; the record of why must still be written.
            let database = database
            try? await Task { try await database.withTenant(tenant) { tx in try await SyncRunStore.finish(tx, run: run, state: state, message: message) } }.value
            throw error
        }
        try await database.withTenant(tenant) { tx in
            try await SyncRunStore.finish(tx, run: run, state: "succeeded", message: result.message)
            try await context.complete(in: tx)
        }
        return .completedInTransaction
    }
}

/// Progress of one run, written as the engine reports it (each report its own small transaction).
struct RunProgress: SyncProgress {
    let database: Database
    let tenant: UUID
    let run: UUID

    func report(_ entity: SyncEntityRule, _ counts: SyncEntityCounts) async throws {
        try await database.withTenant(tenant) { tx in try await SyncRunStore.progress(tx, run: run, entity: entity, counts: counts) }
    }

    func error(_ entity: SyncEntityRule?, reference: String, message: String) async throws {
        try await database.withTenant(tenant) { tx in try await SyncRunStore.error(tx, run: run, entity: entity, reference: reference, message: message) }
    }
}

extension Principal {
    /// Who acts when the scheduler does (periodic jobs, pauses it decides).
    static let scheduler = Principal(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 4)), kind: .operator, name: "scheduler")
}
