import Foundation
import Postgres
import Storage

/// Housekeeping any process may run at any time (all SKIP LOCKED or idempotent).
extension JobQueue {
    /// Scheduled and retryable jobs whose time has come become available.
    @discardableResult
    public func promote(limit: Int = 5000) async throws -> Int {
        let rows = try await database.platformStatement("""
            WITH due AS (
                SELECT id FROM jobs WHERE state IN ('scheduled', 'retryable') AND run_at <= now() ORDER BY run_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), promoted AS (
                UPDATE jobs j SET state = 'available' FROM due WHERE j.id = due.id RETURNING 1
            )
            SELECT (SELECT count(*) FROM promoted),
                   (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM promoted)) AS wake)
            """)
        return try rows[0].decode(Int.self, at: 0)
    }

    /// Deletes finished jobs older than `retention` seconds, a batch at a time.
    @discardableResult
    public func prune(retention: Double, limit: Int = 10_000) async throws -> Int {
        let rows = try await database.platformStatement("""
            WITH old AS (
                SELECT id FROM jobs WHERE state IN ('succeeded', 'discarded', 'cancelled') AND finished_at < now() - \(retention) * interval '1 second'
                ORDER BY finished_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), gone AS (
                DELETE FROM jobs j USING old WHERE j.id = old.id RETURNING 1
            )
            SELECT count(*) FROM gone
            """)
        return try rows[0].decode(Int.self, at: 0)
    }
}
