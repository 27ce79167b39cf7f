import Foundation
import Postgres

/// A job as the admin tooling sees it.
public struct JobRecord: Sendable {
    public var id: Int64
    public var tenantID: UUID
    public var kind: String
    public var state: JobState
    public var priority: Int
    public var argsJSON: String
    public var runID: UUID?
    public var attempt: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var createdAt: Date
    public var attemptedAt: Date?
    public var finishedAt: Date?
    public var workerID: UUID?
    public var cancelRequested: Bool
    public var lastError: String?

    static let columns: StaticString = """
        id, tenant_id, kind, state, priority, args::text, run_id, attempt, max_attempts, run_at, created_at, attempted_at, finished_at,
        worker_id, cancel_requested, last_error
        """

    init(row: PostgresRow) throws {
        id = try row.decode(Int64.self, at: 0)
        tenantID = try row.decode(UUID.self, at: 1)
        kind = try row.decode(String.self, at: 2)
        state = JobState(rawValue: try row.decode(String.self, at: 3)) ?? .discarded
        priority = try row.decode(Int.self, at: 4)
        argsJSON = try row.decode(String.self, at: 5)
        runID = try row.decode(UUID?.self, at: 6)
        attempt = try row.decode(Int.self, at: 7)
        maxAttempts = try row.decode(Int.self, at: 8)
        runAt = try row.decode(Date.self, at: 9)
        createdAt = try row.decode(Date.self, at: 10)
        attemptedAt = try row.decode(Date?.self, at: 11)
        finishedAt = try row.decode(Date?.self, at: 12)
        workerID = try row.decode(UUID?.self, at: 13)
        cancelRequested = try row.decode(Bool.self, at: 14)
        lastError = try row.decode(String?.self, at: 15)
    }
}
