import Foundation
import Postgres
import Storage

/// Completing jobs: many in one statement. Only a job still running under
/// this process's lease is touched, so a completion that arrives after the
/// job was rescued (the lease expired) changes nothing.
extension JobQueue {
    /// How an attempt ended.
    public enum Completion: Sendable, Equatable {
        case succeeded
        /// Failed: runs again after `retryAfter` seconds, unless that was its last attempt (then discarded).
        case failed(error: String, retryAfter: Double)
        /// Failed for good, whatever attempts are left.
        case discarded(error: String)
        case cancelled(reason: String)
        /// Not run to the end through no fault of its own (this process is
        /// draining): available again at once, the attempt not counted.
        case handedBack
    }

    /// The outcome's name in the completion statement and in metrics.
    static let outcomeNames = ["succeeded", "failed", "discarded", "cancelled", "handed_back"]

    public struct Completed: Sendable {
        public var job: Int64
        public var completion: Completion

        public init(job: Int64, completion: Completion) {
            self.job = job
            self.completion = completion
        }
    }

    /// Records the outcomes; returns how many jobs were still ours to complete.
    @discardableResult
    public func complete(_ batch: [Completed], worker: UUID) async throws -> Int {
        guard !batch.isEmpty else { return 0 }
        // Most completions are successes: those go as a bare list of ids.
        let succeeded = batch.compactMap { $0.completion == .succeeded ? $0.job : nil }
        if succeeded.count == batch.count { return try await completeSucceeded(succeeded, worker: worker) }
        let others = try await completeOutcomes(batch.filter { $0.completion != .succeeded }, worker: worker)
        return try await (succeeded.isEmpty ? 0 : completeSucceeded(succeeded, worker: worker)) + others
    }

    private func completeSucceeded(_ ids: [Int64], worker: UUID) async throws -> Int {
        try await database.platformStatement(Self.succeeded(ids, worker: worker))[0].decode(Int.self, at: 0)
    }

    /// Marks jobs still running under `worker` succeeded and frees their lanes; the first column counts them.
    static func succeeded(_ ids: [Int64], worker: UUID) -> PostgresQuery {
        var statement: PostgresQuery = """
            WITH updated AS (
                UPDATE jobs SET state = 'succeeded', finished_at = clock_timestamp(), worker_id = NULL, cancel_requested = false
                WHERE id = ANY(\(ids)::int8[]) AND state = 'running' AND worker_id = \(worker)
                RETURNING id, tenant_id, exclusive
            ), freed AS (
                UPDATE job_tenants l SET running_job_id = NULL, updated_at = now()
                FROM updated u WHERE u.exclusive AND l.tenant_id = u.tenant_id AND l.running_job_id = u.id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM (SELECT pg_notify(\(jobsChannel), '') WHERE EXISTS (SELECT 1 FROM freed)) AS wake)
            """
        statement.prepared = true
        return statement
    }

    private func completeOutcomes(_ batch: [Completed], worker: UUID) async throws -> Int {
        var ids: [Int64] = [], outcomes: [String] = [], errors: [String] = [], delays: [Double] = []
        ids.reserveCapacity(batch.count)
        for item in batch {
            ids.append(item.job)
            outcomes.append(item.completion.outcomeName)
            switch item.completion {
            case .failed(let error, let after): errors.append(error); delays.append(after)
            case .discarded(let error), .cancelled(let error): errors.append(error); delays.append(0)
            case .succeeded, .handedBack: errors.append(""); delays.append(0)
            }
        }
        var statement: PostgresQuery = """
            WITH done AS (
                SELECT * FROM unnest(\(ids)::int8[], \(outcomes)::text[], \(errors)::text[], \(delays)::float8[]) AS d (id, outcome, error, delay)
            ), updated AS (
                UPDATE jobs j SET
                    state = CASE d.outcome
                        WHEN 'failed' THEN CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END
                        WHEN 'handed_back' THEN 'available'
                        ELSE d.outcome END,
                    attempt = CASE WHEN d.outcome = 'handed_back' THEN greatest(j.attempt - 1, 0) ELSE j.attempt END,
                    run_at = CASE WHEN d.outcome = 'failed' THEN clock_timestamp() + d.delay * interval '1 second' ELSE j.run_at END,
                    finished_at = CASE WHEN d.outcome IN ('succeeded', 'discarded', 'cancelled') OR (d.outcome = 'failed' AND j.attempt >= j.max_attempts)
                        THEN clock_timestamp() END,
                    worker_id = NULL,
                    cancel_requested = false,
                    last_error = CASE WHEN d.error = '' THEN j.last_error ELSE d.error END,
                    errors = CASE WHEN d.outcome IN ('failed', 'discarded', 'cancelled') AND d.error <> ''
                        THEN j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt, 'at', clock_timestamp(), 'error', d.error))
                        ELSE j.errors END
                FROM done d
                WHERE j.id = d.id AND j.state = 'running' AND j.worker_id = \(worker)
                RETURNING j.id, j.tenant_id, j.exclusive, j.state
            ), freed AS (
                UPDATE job_tenants l SET running_job_id = NULL, updated_at = now()
                FROM updated u WHERE u.exclusive AND l.tenant_id = u.tenant_id AND l.running_job_id = u.id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM updated),
                   (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '')
                        WHERE EXISTS (SELECT 1 FROM freed) OR EXISTS (SELECT 1 FROM updated WHERE state = 'available')) AS wake)
            """
        // Prepared: planning was a quarter of this statement's server time (ops/bench/queue).
        statement.prepared = true
        let rows = try await database.platformStatement(statement)
        return try rows[0].decode(Int.self, at: 0)
    }

    /// Completes one job inside the caller's transaction, so the job's own
    /// writes and its completion commit together or not at all: a job that
    /// completes this way has run exactly once, even if its process dies right
    /// after. Throws `LeaseLost` when the job is no longer this process's to
    /// complete (rescued after its lease expired): the caller's transaction
    /// must then roll back.
    public func completeSucceeded<Scope>(job: Int64, worker: UUID, in tx: ScopedTransaction<Scope>) async throws {
        let rows = try await tx.query(Self.succeeded([job], worker: worker))
        guard try rows[0].decode(Int.self, at: 0) == 1 else { throw LeaseLost(job: job) }
    }

    public struct LeaseLost: Error, CustomStringConvertible {
        public var job: Int64
        public var description: String { "job \(job) is no longer this process's to complete (its lease expired and it was rescued, or it was cancelled)" }
    }
}

extension JobQueue.Completion {
    var outcomeName: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .discarded: "discarded"
        case .cancelled: "cancelled"
        case .handedBack: "handed_back"
        }
    }
}
