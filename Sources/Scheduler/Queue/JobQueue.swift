import Foundation
import Postgres
import Storage

/// The job queue in PostgreSQL: every step of a job's life is one SQL
/// statement here (enqueue, claim, complete, heartbeat, rescue …), and the
/// worker pool is the only thing that decides when to run them. The tables
/// are platform tables (0005_job_queue.sql); a job's body does its tenant
/// work inside the tenant-scoped transaction.
public struct JobQueue: Sendable {
    /// NOTIFY channel: jobs became available (enqueued, promoted, a lane freed).
    public static let jobsChannel = "ledgerbridge_jobs"
    /// NOTIFY channel: a running job was asked to stop; the payload is its id.
    public static let cancelChannel = "ledgerbridge_job_cancel"

    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    static let pendingStates = JobState.pending.map(\.rawValue)

    public struct InvalidKind: Error, CustomStringConvertible {
        public var kind: String
        public var description: String { "a job kind is dot-separated lower-case words (letters, digits, _), at most 64 characters: not \(kind)" }
    }

    /// `sync.incremental`, `test.noop`: checked here rather than by a CHECK constraint that would run at every state change.
    static func requireValid(kind: String) throws {
        let words = kind.split(separator: ".", omittingEmptySubsequences: false)
        let valid = kind.utf8.count <= 64 && words.allSatisfy { word in
            guard let first = word.first, first.isASCII, first.isLowercase else { return false }
            return word.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
        }
        guard valid else { throw InvalidKind(kind: kind) }
    }

    /// Enqueues on its own (a platform transaction of one statement).
    public func enqueue(_ job: NewJob) async throws -> EnqueuedJob {
        try await database.withPlatform { tx in try await enqueue(job, in: tx) }
    }

    /// Enqueues inside the caller's transaction, so the job exists exactly when
    /// the caller's other writes do (a sync run and its job commit together).
    /// A pending job with the same unique key is returned instead of a new one.
    public func enqueue<Scope>(_ job: NewJob, in tx: ScopedTransaction<Scope>) async throws -> EnqueuedJob {
        try Self.requireValid(kind: job.kind)
        // A concurrent enqueue of the same key that commits after this statement's
        // snapshot makes ON CONFLICT skip the insert while the SELECT cannot see the
        // winner yet; the next statement's snapshot can (read committed).
        for _ in 0..<5 {
            let rows = try await tx.query("""
                WITH lane AS (
                    INSERT INTO job_tenants (tenant_id) SELECT \(job.tenantID) WHERE \(job.exclusive) ON CONFLICT DO NOTHING
                ), inserted AS (
                    INSERT INTO jobs (tenant_id, kind, exclusive, priority, args, run_id, unique_key, max_attempts, timeout_seconds, run_at, state)
                    VALUES (\(job.tenantID), \(job.kind), \(job.exclusive), \(job.priority), \(PostgresJSONB(text: job.argsJSON)), \(job.runID),
                            \(job.uniqueKey), \(job.maxAttempts), \(job.timeoutSeconds), coalesce(\(job.runAt), now()),
                            CASE WHEN coalesce(\(job.runAt), now()) > now() THEN 'scheduled' ELSE 'available' END)
                    ON CONFLICT (tenant_id, unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable') DO NOTHING
                    RETURNING id, run_id
                )
                SELECT id, run_id, true FROM inserted, LATERAL (SELECT pg_notify(\(Self.jobsChannel), '')) AS wake
                UNION ALL
                SELECT id, run_id, false FROM jobs
                WHERE tenant_id = \(job.tenantID) AND unique_key = \(job.uniqueKey) AND state = ANY(\(Self.pendingStates))
                    AND NOT EXISTS (SELECT 1 FROM inserted)
                """)
            if let row = rows.first {
                return EnqueuedJob(id: try row.decode(Int64.self, at: 0), runID: try row.decode(UUID?.self, at: 1), inserted: try row.decode(Bool.self, at: 2))
            }
        }
        throw PostgresError(kind: .protocolViolation, message: "could not enqueue \(job.kind) for \(job.tenantID): its unique key kept changing hands")
    }

    /// Many jobs in one statement (no unique keys): for bulk loads and benchmarks.
    public func enqueueMany(tenants: [UUID], kind: String, exclusive: Bool = false, priority: Int = 2, argsJSON: String = "{}",
                            maxAttempts: Int = 10, timeoutSeconds: Int = 1800) async throws -> Int {
        guard !tenants.isEmpty else { return 0 }
        try Self.requireValid(kind: kind)
        let rows = try await database.platformStatement("""
            WITH lanes AS (
                INSERT INTO job_tenants (tenant_id) SELECT DISTINCT t FROM unnest(\(tenants)::uuid[]) AS t WHERE \(exclusive) ON CONFLICT DO NOTHING
            ), inserted AS (
                INSERT INTO jobs (tenant_id, kind, exclusive, priority, args, max_attempts, timeout_seconds)
                SELECT t, \(kind), \(exclusive), \(priority), \(PostgresJSONB(text: argsJSON)), \(maxAttempts), \(timeoutSeconds)
                FROM unnest(\(tenants)::uuid[]) WITH ORDINALITY AS u (t, n) ORDER BY n
                RETURNING 1
            )
            SELECT count(*), pg_notify(\(Self.jobsChannel), '') FROM inserted
            """)
        return try rows[0].decode(Int.self, at: 0)
    }

    /// The columns a claimed job is read from (see `ClaimedJob.init(row:offset:)`).
    /// Times as epoch seconds: reading two timestamptz texts per job was 14% of the
    /// worker pool's CPU in ops/bench/queue; a float8 is one strtod.
    static let claimedColumns: StaticString = """
        j.id, j.tenant_id, j.kind, j.exclusive, j.args::text, j.run_id, j.attempt, j.max_attempts, j.timeout_seconds,
        extract(epoch FROM j.created_at)::float8, extract(epoch FROM j.attempted_at)::float8
        """
}
