import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// `ledgerbridge.v1.SyncService`: a tenant's sync runs — start, cancel,
/// pause, watch — and its sync settings. Every call is tenant-scoped and
/// authorized for the caller (a tenant out of reach is NOT_FOUND).
public struct SyncService: Sendable {
    public static let name = "ledgerbridge.v1.SyncService"

    let database: Database
    let queue: JobQueue
    let policy: JobQueue.SchedulePolicy
    /// How often WatchSyncRun looks at the run.
    let watchInterval: Duration

    public init(database: Database, queue: JobQueue, policy: JobQueue.SchedulePolicy = JobQueue.SchedulePolicy(), watchInterval: Duration = .milliseconds(200)) {
        self.database = database
        self.queue = queue
        self.policy = policy
        self.watchInterval = watchInterval
    }

    public func register(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/SyncNow") { (request: Ledgerbridge_V1_SyncNowRequest, _) in try await syncNow(request) }
        registry.unary("/\(Self.name)/CancelSyncRun") { (request: Ledgerbridge_V1_CancelSyncRunRequest, _) in try await cancel(request) }
        registry.unary("/\(Self.name)/PauseSync") { (request: Ledgerbridge_V1_PauseSyncRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            let caller = try Principal.requireAccess(to: tenant)
            guard request.reason.count <= 500 else { throw RPCError.invalidField("reason", "must be at most 500 characters") }
            let reason = request.reason.isEmpty ? "paused by \(caller.name)" : request.reason
            try await database.withTenant(tenant) { tx in
                try await requireTenant(tx)
                try await queue.pause(tenant: tenant, reason: reason, in: tx)
                try await TenantService.audit(tx, caller, "sync.paused", ["reason": reason])
            }
            var response = Ledgerbridge_V1_PauseSyncResponse()
            response.status = try await status(tenant)
            return response
        }
        registry.unary("/\(Self.name)/ResumeSync") { (request: Ledgerbridge_V1_ResumeSyncRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            let caller = try Principal.requireAccess(to: tenant)
            try await database.withTenant(tenant) { tx in
                try await requireTenant(tx)
                try await queue.resume(tenant: tenant, in: tx)
                try await TenantService.audit(tx, caller, "sync.resumed")
            }
            var response = Ledgerbridge_V1_ResumeSyncResponse()
            response.status = try await status(tenant)
            return response
        }
        registry.unary("/\(Self.name)/GetSyncStatus") { (request: Ledgerbridge_V1_GetSyncStatusRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            return try await status(tenant)
        }
        registerRuns(in: &registry)
        registerSettings(in: &registry)
    }

    /// NOT_FOUND for a tenant id with no tenant (an operator may name any id).
    func requireTenant(_ tx: TenantTransaction) async throws {
        guard try await tx.query("SELECT 1 FROM tenants WHERE id = \(tx.tenantID)").first != nil else {
            throw RPCError(.notFound, "no tenant \(tx.tenantID.lowercaseText)")
        }
    }

    func syncNow(_ request: Ledgerbridge_V1_SyncNowRequest) async throws -> Ledgerbridge_V1_SyncNowResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        var named: [SyncEntityRule] = []
        for (index, entity) in request.entities.enumerated() {
            guard let rule = SyncEntityRule(entity) else { throw RPCError.invalidField("entities[\(index)]", "must name an entity type") }
            if !named.contains(rule) { named.append(rule) }
        }
        named.sort { $0.rawValue < $1.rawValue }
        let kind: SyncRequest.Kind = request.full ? .full : (named.isEmpty ? .incremental : .entity)
        let jobKind = "sync.\(kind.rawValue)"
        let uniqueKey = named.isEmpty ? jobKind : jobKind + ":" + named.map(\.rawValue).joined(separator: ",")
        let args: [String: Any] = ["trigger": "manual", "entities": named.map(\.rawValue), "full": request.full]
        let argsJSON = String(decoding: try JSONSerialization.data(withJSONObject: args, options: [.sortedKeys]), as: UTF8.self)

        return try await database.withTenant(tenant) { tx in
            try await TenantService.requireActive(tenant, in: tx)
            let lane = try await queue.lane(tenant: tenant, in: tx)
            if lane.paused {
                throw RPCError(.failedPrecondition, "syncs are paused for this tenant (\(lane.pausedReason ?? "no reason given")); call ResumeSync first")
            }
            let settings = try await Self.settings(tx)
            if let disabled = named.first(where: { !(settings.entities[$0]?.enabled ?? false) }) {
                throw RPCError.invalidField("entities", "\(disabled.rawValue) is disabled in the sync settings")
            }
            let enqueued = try await queue.enqueue(NewJob(
                tenantID: tenant, kind: jobKind, exclusive: true, priority: 2, argsJSON: argsJSON, runID: UUID(), uniqueKey: uniqueKey,
                maxAttempts: policy.syncMaxAttempts, timeoutSeconds: policy.syncTimeoutSeconds), in: tx)
            guard let run = enqueued.runID else { throw RPCError(.internal, "the queued sync job has no run") }
            // A run queued by the schedule has no row until it starts: make it now, so the caller can watch it.
            try await SyncRunStore.createQueued(tx, run: run, job: enqueued.id, kind: kind, trigger: enqueued.inserted ? "manual" : "schedule",
                                                entities: named, requestedBy: enqueued.inserted ? caller.actor : "scheduler")
            if enqueued.inserted {
                try await TenantService.audit(tx, caller, "sync.requested", ["run_id": run.lowercaseText, "kind": kind.rawValue])
            }
            var response = Ledgerbridge_V1_SyncNowResponse()
            response.runID = run.lowercaseText
            response.alreadyQueued = !enqueued.inserted
            if let message = try await SyncRunStore.load(tx, run: run) { response.run = message }
            return response
        }
    }

    func cancel(_ request: Ledgerbridge_V1_CancelSyncRunRequest) async throws -> Ledgerbridge_V1_CancelSyncRunResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        guard let run = UUID(uuidString: request.runID) else { throw RPCError.invalidField("run_id", "must be a UUID") }
        let found = try await database.withTenant(tenant, readOnly: true) { tx in
            try await tx.query("SELECT job_id, state FROM sync_runs WHERE tenant_id = \(tenant) AND id = \(run)").first.map {
                (try $0.decode(Int64?.self, at: 0), try $0.decode(String.self, at: 1))
            }
        }
        guard let (job, state) = found else { throw RPCError(.notFound, "no sync run \(run.lowercaseText)") }
        guard !SyncRunStore.isFinal(SyncRunStore.state(state)) else { throw RPCError(.failedPrecondition, "the run is already \(state)") }
        var outcome: JobState?
        if let job {
            do {
                outcome = try await queue.cancel(job: job, reason: "cancelled by \(caller.actor)")
            } catch JobQueue.ControlError.alreadyFinished {
                outcome = nil
            }
        }
        return try await database.withTenant(tenant) { tx in
            if outcome == .cancelled {
                try await SyncRunStore.finish(tx, run: run, state: "cancelled", message: "cancelled by request before it started")
            }
            try await TenantService.audit(tx, caller, "sync.cancel_requested", ["run_id": run.lowercaseText])
            var response = Ledgerbridge_V1_CancelSyncRunResponse()
            if let message = try await SyncRunStore.load(tx, run: run) { response.run = message }
            return response
        }
    }

    /// The tenant's stored settings, or the defaults.
    static func settings(_ tx: TenantTransaction) async throws -> SyncSettings {
        guard let row = try await tx.query("SELECT settings::text FROM sync_settings WHERE tenant_id = \(tx.tenantID)").first else { return .defaults }
        let text = try row.decode(String.self, at: 0)
        return (try JSONDecoder().decode(SyncSettings.self, from: Data(text.utf8))).completed()
    }
}
