import Foundation
import Postgres
import Storage

/// Process leases. Each process that runs jobs has a `job_workers` row whose
/// lease its heartbeat renews (several beats per lease). Its running jobs
/// carry its id; they are rescued — made available again — only after the
/// lease has expired, so never while the process still beats. A process
/// whose beat finds its lease gone stops its jobs (fencing) instead of
/// finishing them alongside their second run.
extension JobQueue {
    public struct WorkerStatistics: Sendable {
        public var workers: Int
        public var busy: Int
        public var claimedTotal: Int64
        public var claimedPerSecond: Double
        public var draining: Bool

        public init(workers: Int, busy: Int, claimedTotal: Int64, claimedPerSecond: Double, draining: Bool) {
            self.workers = workers
            self.busy = busy
            self.claimedTotal = claimedTotal
            self.claimedPerSecond = claimedPerSecond
            self.draining = draining
        }
    }

    public struct Beat: Sendable {
        /// false: the lease had expired; this process's jobs may be running elsewhere now.
        public var leaseHeld: Bool
        /// This process's running jobs someone asked to cancel (the NOTIFY may have been missed).
        public var cancelRequested: [Int64]
    }

    public func register(worker: UUID, host: String, pid: Int, workers: Int, lease: Double) async throws {
        try await database.platformStatement("""
            INSERT INTO job_workers (id, host, pid, lease_expires_at, workers) VALUES (\(worker), \(host), \(pid), now() + \(lease) * interval '1 second', \(workers))
            ON CONFLICT (id) DO UPDATE SET beat_at = now(), lease_expires_at = excluded.lease_expires_at, workers = excluded.workers
            """)
    }

    public func heartbeat(worker: UUID, lease: Double, statistics: WorkerStatistics) async throws -> Beat {
        let rows = try await database.platformStatement("""
            WITH renewed AS (
                UPDATE job_workers SET beat_at = now(), lease_expires_at = now() + \(lease) * interval '1 second',
                    workers = \(statistics.workers), busy = \(statistics.busy), claimed_total = \(statistics.claimedTotal),
                    claimed_per_second = \(statistics.claimedPerSecond), draining = \(statistics.draining)
                WHERE id = \(worker) AND lease_expires_at > now()
                RETURNING id
            )
            SELECT EXISTS (SELECT 1 FROM renewed),
                   coalesce((SELECT array_agg(id) FROM jobs WHERE worker_id = \(worker) AND state = 'running' AND cancel_requested), '{}')
            """)
        return Beat(leaseHeld: try rows[0].decode(Bool.self, at: 0), cancelRequested: try rows[0].decode([Int64].self, at: 1))
    }

    /// Makes the running jobs of processes whose lease expired available again
    /// (or discarded, if that was their last attempt), frees their lanes, and
    /// forgets those processes. Any process may run it: the dead rows are
    /// locked SKIP LOCKED, so two rescuers never rescue the same job.
    @discardableResult
    public func rescue() async throws -> Int {
        let rows = try await database.platformStatement("""
            WITH dead AS (
                SELECT id FROM job_workers WHERE lease_expires_at < now() FOR UPDATE SKIP LOCKED
            ), orphans AS (
                UPDATE jobs j SET
                    state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'available' END,
                    finished_at = CASE WHEN j.attempt >= j.max_attempts THEN clock_timestamp() END,
                    worker_id = NULL,
                    last_error = 'the process running attempt ' || j.attempt || ' stopped (its lease expired)',
                    errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt, 'at', clock_timestamp(),
                        'error', 'the process running it stopped (its lease expired)'))
                FROM dead WHERE j.worker_id = dead.id AND j.state = 'running'
                RETURNING j.id, j.tenant_id, j.exclusive
            ), freed AS (
                UPDATE job_tenants l SET running_job_id = NULL, updated_at = now()
                FROM orphans o WHERE o.exclusive AND l.tenant_id = o.tenant_id AND l.running_job_id = o.id
            ), forgotten AS (
                DELETE FROM job_workers w USING dead WHERE w.id = dead.id
            )
            SELECT (SELECT count(*) FROM orphans),
                   (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM orphans)) AS wake)
            """)
        return try rows[0].decode(Int.self, at: 0)
    }

    /// Leaving for good (after a drain): the row goes; jobs still marked as
    /// this process's (none, after a clean drain) are handed back first.
    public func deregister(worker: UUID) async throws {
        try await database.platformStatement("""
            WITH back AS (
                UPDATE jobs SET state = 'available', attempt = greatest(attempt - 1, 0), worker_id = NULL
                WHERE worker_id = \(worker) AND state = 'running'
                RETURNING id, tenant_id, exclusive
            ), freed AS (
                UPDATE job_tenants l SET running_job_id = NULL, updated_at = now()
                FROM back b WHERE b.exclusive AND l.tenant_id = b.tenant_id AND l.running_job_id = b.id
            ), gone AS (
                DELETE FROM job_workers WHERE id = \(worker)
            )
            SELECT (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') WHERE EXISTS (SELECT 1 FROM back)) AS wake)
            """)
    }
}
