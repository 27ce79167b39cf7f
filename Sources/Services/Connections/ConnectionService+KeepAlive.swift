import Foundation
import Postgres
import Storage

/// Keeping idle Xero connections alive.
///
/// Xero's refresh token expires after 60 days unused. A tenant whose syncs
/// are paused, or who has nothing to sync for a while, would lose its
/// connection and need a new consent; a refresh now and then prevents it.
/// The scheduler runs `keepAlive` periodically for every connection; it is a
/// cheap read unless the last refresh is older than `olderThan`.
extension ConnectionService {
    public enum KeepAliveOutcome: Sendable, Equatable {
        /// Refreshed recently enough (by a sync, a keep-alive, or another process just now).
        case notDue
        case refreshed
        /// Xero refused the refresh token: the connection is now NEEDS_REAUTH.
        case needsReauth
        /// Nothing to keep alive: a Cin7 connection (keys do not expire), or one not connected.
        case notApplicable
    }

    /// A week: well inside Xero's 60 days, even if the scheduler misses a few runs.
    public static let keepAliveAge: TimeInterval = 7 * 86_400

    public func keepAlive(tenant: UUID, connection: UUID, olderThan age: TimeInterval = keepAliveAge) async throws -> KeepAliveOutcome {
        let rows = try await database.withTenant(tenant, readOnly: true) { tx in
            try await tx.query("SELECT provider, status, last_refresh_at FROM connections WHERE tenant_id = \(tenant) AND id = \(connection)")
        }
        guard let row = rows.first else { throw ConnectionAccessError(.notFound, connection: connection, "no such connection") }
        guard try row.decode(String.self, at: 0) == "xero", try row.decode(String.self, at: 1) == "connected" else { return .notApplicable }
        // Never refreshed here (imported tokens): due, since nobody knows when their refresh token was last used.
        if let last = try row.decode(Date?.self, at: 2), -last.timeIntervalSinceNow < age { return .notDue }
        switch try await refresh(tenant: tenant, connection: connection, caller: .tokenUpkeep, force: false, lastRefreshOlderThan: age) {
        case .refreshed: return .refreshed
        case .alreadyFresh: return .notDue
        case .needsReauth: return .needsReauth
        }
    }
}
