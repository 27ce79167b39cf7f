import Foundation
import Postgres
import Storage

/// What operators and the sync RPCs do to jobs: cancel, retry, pause, list.
extension JobQueue {
    public enum ControlError: Error, Equatable, CustomStringConvertible {
        case noSuchJob(Int64)
        case notRetryable(Int64, JobState)
        case alreadyFinished(Int64, JobState)
        case duplicatePending(Int64)

        public var description: String {
            switch self {
            case .noSuchJob(let id): "no job \(id)"
            case .notRetryable(let id, let state): "job \(id) is \(state.rawValue); only failed, discarded, cancelled or succeeded jobs can be retried"
            case .alreadyFinished(let id, let state): "job \(id) is already \(state.rawValue)"
            case .duplicatePending(let id): "job \(id) has the same unique key as a job still pending; that one will run"
            }
        }
    }

    public func job(_ id: Int64) async throws -> JobRecord? {
        try await database.platformStatement("SELECT \(unescaped: JobRecord.columns) FROM jobs WHERE id = \(id)").first.map(JobRecord.init(row:))
    }

    /// A pending job is cancelled at once; a running one is asked to stop
    /// (its process cancels its task; it ends `cancelled`). Returns the state
    /// after the call: `cancelled`, or `running` while the stop is on its way.
    public func cancel(job id: Int64, reason: String = "cancelled by request") async throws -> JobState {
        let rows = try await database.platformStatement("""
            WITH target AS (
                SELECT id, state FROM jobs WHERE id = \(id) FOR UPDATE
            ), pending AS (
                UPDATE jobs j SET state = 'cancelled', finished_at = clock_timestamp(), last_error = \(reason)
                FROM target t WHERE j.id = t.id AND t.state IN ('available', 'scheduled', 'retryable')
                RETURNING j.state
            ), running AS (
                UPDATE jobs j SET cancel_requested = true
                FROM target t WHERE j.id = t.id AND t.state = 'running'
                RETURNING j.state
            )
            SELECT t.state, (SELECT state FROM pending), (SELECT state FROM running),
                   (SELECT count(*) FROM (SELECT pg_notify(\(Self.cancelChannel), \(String(id))) WHERE EXISTS (SELECT 1 FROM running)) AS wake)
            FROM target t
            """)
        guard let row = rows.first else { throw ControlError.noSuchJob(id) }
        let before = JobState(rawValue: try row.decode(String.self, at: 0)) ?? .discarded
        if try row.decode(String?.self, at: 1) != nil { return .cancelled }
        if try row.decode(String?.self, at: 2) != nil { return .running }
        throw ControlError.alreadyFinished(id, before)
    }

    /// Runs a finished or waiting job again now, with one more attempt if it had used them all.
    public func retry(job id: Int64) async throws -> JobRecord {
        do {
            let rows = try await database.platformStatement("""
                WITH retried AS (
                    UPDATE jobs SET state = 'available', run_at = now(), finished_at = NULL, cancel_requested = false,
                        max_attempts = greatest(max_attempts, attempt + 1)
                    WHERE id = \(id) AND state IN ('retryable', 'discarded', 'cancelled', 'succeeded', 'scheduled')
                    RETURNING \(unescaped: JobRecord.columns)
                )
                SELECT r.*, (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '')) AS wake) FROM retried r
                """)
            if let row = rows.first { return try JobRecord(row: row) }
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw ControlError.duplicatePending(id)
        }
        guard let current = try await job(id) else { throw ControlError.noSuchJob(id) }
        throw ControlError.notRetryable(id, current.state)
    }

    /// The tenant's exclusive (sync) jobs wait while paused; others still run.
    public func pause<Scope>(tenant: UUID, reason: String, in tx: ScopedTransaction<Scope>) async throws {
        try await tx.query("""
            INSERT INTO job_tenants (tenant_id, paused, paused_reason, paused_at) VALUES (\(tenant), true, \(reason), now())
            ON CONFLICT (tenant_id) DO UPDATE SET paused = true, paused_reason = excluded.paused_reason, paused_at = now(), updated_at = now()
            """)
    }

    public func resume<Scope>(tenant: UUID, in tx: ScopedTransaction<Scope>) async throws {
        try await tx.query("""
            WITH resumed AS (
                UPDATE job_tenants SET paused = false, paused_reason = NULL, paused_at = NULL, updated_at = now() WHERE tenant_id = \(tenant) RETURNING 1
            )
            SELECT (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM resumed)) AS wake)
            """)
    }

    /// Lifts a pause the scheduler put on because a connection needed a new
    /// consent, once none does (the caller has just reconnected one). A pause
    /// someone asked for stays.
    public func resumeAfterReauth(tenant: UUID, in tx: TenantTransaction) async throws {
        try await tx.query("""
            WITH resumed AS (
                UPDATE job_tenants SET paused = false, paused_reason = NULL, paused_at = NULL, updated_at = now()
                WHERE tenant_id = \(tenant) AND paused AND paused_reason LIKE 'needs_reauth%'
                    AND NOT EXISTS (SELECT 1 FROM connections WHERE tenant_id = \(tenant) AND status = 'needs_reauth')
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM resumed)) AS wake)
            """)
    }

    public struct Lane: Sendable {
        public var paused: Bool
        public var pausedReason: String?
        public var pausedAt: Date?
        public var runningJob: Int64?
    }

    public func lane<Scope>(tenant: UUID, in tx: ScopedTransaction<Scope>) async throws -> Lane {
        let rows = try await tx.query("SELECT paused, paused_reason, paused_at, running_job_id FROM job_tenants WHERE tenant_id = \(tenant)")
        guard let row = rows.first else { return Lane(paused: false) }
        return Lane(paused: try row.decode(Bool.self, at: 0), pausedReason: try row.decode(String?.self, at: 1),
                    pausedAt: try row.decode(Date?.self, at: 2), runningJob: try row.decode(Int64?.self, at: 3))
    }

    public struct JobFilter: Sendable {
        public var states: [JobState] = []
        public var tenant: UUID?
        public var kind: String?
        /// Jobs with ids below this one (keyset paging, newest first).
        public var before: Int64?
        public var limit: Int = 100

        public init(states: [JobState] = [], tenant: UUID? = nil, kind: String? = nil, before: Int64? = nil, limit: Int = 100) {
            self.states = states
            self.tenant = tenant
            self.kind = kind
            self.before = before
            self.limit = limit
        }
    }

    /// Newest first.
    public func list(_ filter: JobFilter) async throws -> [JobRecord] {
        let states = filter.states.map(\.rawValue)
        return try await database.platformStatement("""
            SELECT \(unescaped: JobRecord.columns) FROM jobs
            WHERE (\(states.isEmpty) OR state = ANY(\(states))) AND (\(filter.tenant)::uuid IS NULL OR tenant_id = \(filter.tenant))
                AND (\(filter.kind)::text IS NULL OR kind = \(filter.kind)) AND id < coalesce(\(filter.before)::int8, 9223372036854775807)
            ORDER BY id DESC LIMIT \(max(1, min(filter.limit, 1000)))
            """).map(JobRecord.init(row:))
    }

    public struct ProcessStatistics: Sendable {
        public var worker: UUID
        public var host: String
        public var pid: Int
        public var startedAt: Date
        public var beatAt: Date
        public var leaseExpiresAt: Date
        public var draining: Bool
        public var workers: Int
        public var busy: Int
        public var claimedTotal: Int64
        public var claimedPerSecond: Double
    }

    public struct PoolStatistics: Sendable {
        public var processes: [ProcessStatistics]
        public var depthByState: [JobState: Int]
        /// How long the oldest available job has waited, in seconds (0 when none waits).
        public var oldestAvailableAge: Double
    }

    public func statistics() async throws -> PoolStatistics {
        let processes = try await database.platformStatement("""
            SELECT id, host, pid, started_at, beat_at, lease_expires_at, draining, workers, busy, claimed_total, claimed_per_second
            FROM job_workers ORDER BY started_at, id
            """).map { row in
            ProcessStatistics(worker: try row.decode(UUID.self, at: 0), host: try row.decode(String.self, at: 1), pid: try row.decode(Int.self, at: 2),
                              startedAt: try row.decode(Date.self, at: 3), beatAt: try row.decode(Date.self, at: 4),
                              leaseExpiresAt: try row.decode(Date.self, at: 5), draining: try row.decode(Bool.self, at: 6),
                              workers: try row.decode(Int.self, at: 7), busy: try row.decode(Int.self, at: 8),
                              claimedTotal: try row.decode(Int64.self, at: 9), claimedPerSecond: try row.decode(Double.self, at: 10))
        }
        var depth: [JobState: Int] = [:]
        for row in try await database.platformStatement("SELECT state, count(*) FROM jobs GROUP BY state") {
            if let state = JobState(rawValue: try row.decode(String.self, at: 0)) { depth[state] = try row.decode(Int.self, at: 1) }
        }
        let age = try await database.platformStatement("""
            SELECT coalesce(extract(epoch FROM now() - min(run_at))::float8, 0) FROM jobs WHERE state = 'available'
            """)[0].decode(Double.self, at: 0)
        return PoolStatistics(processes: processes, depthByState: depth, oldestAvailableAge: max(0, age))
    }

    /// A tenant's jobs still to run, for its sync status.
    public func pendingCount<Scope>(tenant: UUID, in tx: ScopedTransaction<Scope>) async throws -> Int {
        try await tx.query("SELECT count(*) FROM jobs WHERE tenant_id = \(tenant) AND state = ANY(\(Self.pendingStates))")[0].decode(Int.self, at: 0)
    }
}
