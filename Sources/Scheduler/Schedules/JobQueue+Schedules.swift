import Foundation
import Postgres
import Storage

/// Per-tenant periodic jobs (`job_schedules`): the incremental sync (default
/// every 15 min), the daily full reconcile, and the token keep-alive.
///
/// A tick is one statement: lock the due rows (`next_at <= now()`, oldest
/// first, SKIP LOCKED, bounded), move each one's `next_at` on by its interval
/// ±10% (so tenants that started together drift apart), and enqueue each
/// one's job with the schedule's unique key, all in one transaction. Two
/// processes ticking at once take disjoint rows, and a row moved on is not
/// due again until its next time: one enqueue per due tick. The cost is an
/// index range scan over the due rows, not a pass over all tenants. A
/// schedule missed for a while (no process up) fires once, not once per
/// missed interval.
extension JobQueue {
    public enum ScheduleKind: String, Sendable, CaseIterable {
        case incremental = "sync.incremental"
        case full = "sync.full"
        case keepalive = "token.keepalive"

        public var defaultInterval: Int {
            switch self {
            case .incremental: 900
            case .full: 86_400
            case .keepalive: 86_400
            }
        }
    }

    /// What the scheduled jobs are enqueued with.
    public struct SchedulePolicy: Sendable {
        public var syncMaxAttempts = 5
        public var syncTimeoutSeconds = 3600
        public var keepaliveMaxAttempts = 5
        public var keepaliveTimeoutSeconds = 300

        public init() {}
    }

    /// Enqueues the jobs of up to `limit` due schedules; returns (due, enqueued).
    /// Paused or inactive tenants' schedules move on without a sync job (the keep-alive still runs).
    public func tick(limit: Int = 500, policy: SchedulePolicy = SchedulePolicy()) async throws -> (due: Int, enqueued: Int) {
        let rows = try await database.platformStatement("""
            WITH due AS (
                SELECT tenant_id, kind, every_seconds, next_at FROM job_schedules
                WHERE next_at <= now() ORDER BY next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), moved AS (
                UPDATE job_schedules s SET
                    next_at = greatest(d.next_at + d.every_seconds * interval '1 second', now())
                        + (random() - 0.5) * 0.2 * d.every_seconds * interval '1 second',
                    last_enqueued_at = now(), ticks = s.ticks + 1
                FROM due d WHERE s.tenant_id = d.tenant_id AND s.kind = d.kind
                RETURNING s.tenant_id, s.kind
            ), eligible AS (
                SELECT m.tenant_id, m.kind, m.kind LIKE 'sync.%' AS sync FROM moved m
                JOIN tenants t ON t.id = m.tenant_id
                LEFT JOIN job_tenants l ON l.tenant_id = m.tenant_id
                WHERE t.status = 'active' AND (m.kind NOT LIKE 'sync.%' OR NOT coalesce(l.paused, false))
            ), lanes AS (
                INSERT INTO job_tenants (tenant_id) SELECT DISTINCT tenant_id FROM eligible WHERE sync ON CONFLICT DO NOTHING
            ), inserted AS (
                INSERT INTO jobs (tenant_id, kind, exclusive, priority, args, run_id, unique_key, max_attempts, timeout_seconds)
                SELECT tenant_id, kind, sync, CASE WHEN sync THEN 3 ELSE 1 END, '{"trigger": "schedule"}',
                       CASE WHEN sync THEN gen_random_uuid() END, kind,
                       CASE WHEN sync THEN \(policy.syncMaxAttempts) ELSE \(policy.keepaliveMaxAttempts) END,
                       CASE WHEN sync THEN \(policy.syncTimeoutSeconds) ELSE \(policy.keepaliveTimeoutSeconds) END
                FROM eligible
                ON CONFLICT (tenant_id, unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable') DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM inserted),
                   (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM inserted)) AS wake)
            """)
        return (try rows[0].decode(Int.self, at: 0), try rows[0].decode(Int.self, at: 1))
    }

    /// Gives a new tenant its schedules, first firing at a random point of each
    /// interval (tenants created together do not fire together).
    public func createSchedules<Scope>(tenant: UUID, in tx: ScopedTransaction<Scope>) async throws {
        let kinds = ScheduleKind.allCases.map(\.rawValue)
        let intervals = ScheduleKind.allCases.map { Int64($0.defaultInterval) }
        try await tx.query("""
            INSERT INTO job_schedules (tenant_id, kind, every_seconds, next_at)
            SELECT \(tenant), k, i, now() + random() * i * interval '1 second' FROM unnest(\(kinds)::text[], \(intervals)::int8[]) AS u (k, i)
            ON CONFLICT (tenant_id, kind) DO NOTHING
            """)
    }

    /// A new interval; the next run moves to at most one interval from now.
    public func setSchedule<Scope>(tenant: UUID, kind: ScheduleKind, everySeconds: Int, in tx: ScopedTransaction<Scope>) async throws {
        try await tx.query("""
            INSERT INTO job_schedules (tenant_id, kind, every_seconds, next_at)
            VALUES (\(tenant), \(kind.rawValue), \(everySeconds), now() + random() * \(everySeconds) * interval '1 second')
            ON CONFLICT (tenant_id, kind) DO UPDATE SET every_seconds = excluded.every_seconds,
                next_at = least(job_schedules.next_at, now() + excluded.every_seconds * interval '1 second')
            """)
    }

    public struct Schedule: Sendable {
        public var kind: ScheduleKind
        public var everySeconds: Int
        public var nextAt: Date
        public var lastEnqueuedAt: Date?
    }

    public func schedules<Scope>(tenant: UUID, in tx: ScopedTransaction<Scope>) async throws -> [Schedule] {
        try await tx.query("SELECT kind, every_seconds, next_at, last_enqueued_at FROM job_schedules WHERE tenant_id = \(tenant) ORDER BY kind").compactMap { row in
            guard let kind = ScheduleKind(rawValue: try row.decode(String.self, at: 0)) else { return nil }
            return Schedule(kind: kind, everySeconds: try row.decode(Int.self, at: 1), nextAt: try row.decode(Date.self, at: 2),
                            lastEnqueuedAt: try row.decode(Date?.self, at: 3))
        }
    }
}
