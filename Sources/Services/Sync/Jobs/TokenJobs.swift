import Foundation
import Postgres
import Scheduler
import Storage

/// `token.refresh` and `token.keepalive`: the vault's refresh, run by the
/// scheduler. A refresh Xero refuses (`invalid_grant`) leaves the connection
/// `needs_reauth` and pauses the tenant's syncs with that reason.
struct TokenJobs: Sendable {
    let database: Database
    let queue: JobQueue
    let connections: ConnectionService
    /// A refresh token unused this long is refreshed by the keep-alive (Xero's expire after 60 days idle).
    var keepAliveAfter: TimeInterval = 7 * 86_400

    /// Refreshes the tenant's connected Xero connections whose access token
    /// expires within 5 minutes (all of them with `"force": true`; one with `"connection_id"`).
    func refresh(_ context: JobContext) async throws -> JobOutcome {
        let args = context.job.args
        let only = (args["connection_id"] as? String).flatMap(UUID.init(uuidString:))
        let force = args["force"] as? Bool ?? false
        return try await refreshEach(context, force: force) { id, _ in only == nil || only == id }
    }

    /// Refreshes the connections not refreshed for `keepAliveAfter` (checked
    /// under the connection's row lock), so no refresh token idles to its expiry.
    func keepAlive(_ context: JobContext) async throws -> JobOutcome {
        let tenant = context.job.tenantID
        var refused: [UUID] = []
        for (id, _) in try await xeroConnections(tenant) {
            try Task.checkCancellation()
            if try await connections.keepAlive(tenant: tenant, connection: id, olderThan: keepAliveAfter) == .needsReauth { refused.append(id) }
        }
        try await pauseIfRefused(tenant, refused)
        return .succeeded
    }

    private func xeroConnections(_ tenant: UUID) async throws -> [(UUID, Date?)] {
        try await database.withTenant(tenant, readOnly: true) { tx in
            try await tx.query("""
                SELECT id, last_refresh_at FROM connections WHERE tenant_id = \(tenant) AND provider = 'xero' AND status = 'connected' ORDER BY id
                """).map { (try $0.decode(UUID.self, at: 0), try $0.decode(Date?.self, at: 1)) }
        }
    }

    private func refreshEach(_ context: JobContext, force: Bool, _ wanted: (UUID, Date?) -> Bool) async throws -> JobOutcome {
        let tenant = context.job.tenantID
        var refused: [UUID] = []
        for (id, lastRefresh) in try await xeroConnections(tenant) where wanted(id, lastRefresh) {
            try Task.checkCancellation()
            if try await connections.refresh(tenant: tenant, connection: id, caller: .scheduler, force: force) == .needsReauth {
                refused.append(id)
            }
        }
        try await pauseIfRefused(tenant, refused)
        return .succeeded
    }

    private func pauseIfRefused(_ tenant: UUID, _ refused: [UUID]) async throws {
        guard !refused.isEmpty else { return }
        try await database.withTenant(tenant) { tx in
            try await queue.pause(tenant: tenant, reason: "needs_reauth: the Xero connection needs a new consent", in: tx)
            try await TenantService.audit(tx, .scheduler, "sync.paused", ["reason": "needs_reauth", "connections": refused.map(\.uuidString).joined(separator: ",")])
        }
    }
}
