import Foundation
import Postgres

/// A job this process claimed and now runs.
public struct ClaimedJob: Sendable, Identifiable {
    public var id: Int64
    public var tenantID: UUID
    public var kind: String
    public var exclusive: Bool
    public var argsJSON: String
    public var runID: UUID?
    /// This attempt's number, from 1.
    public var attempt: Int
    public var maxAttempts: Int
    public var timeoutSeconds: Int
    public var createdAt: Date
    public var attemptedAt: Date

    /// The last attempt: failing now discards the job.
    public var isLastAttempt: Bool { attempt >= maxAttempts }

    public var args: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(argsJSON.utf8))) as? [String: Any] ?? [:]
    }

    /// Reads the columns `JobQueue.claimedColumns` lists, in that order, from `offset`.
    init(row: PostgresRow, offset: Int = 0) throws {
        id = try row.decode(Int64.self, at: offset)
        tenantID = try row.decode(UUID.self, at: offset + 1)
        kind = try row.decode(String.self, at: offset + 2)
        exclusive = try row.decode(Bool.self, at: offset + 3)
        argsJSON = try row.decode(String.self, at: offset + 4)
        runID = try row.decode(UUID?.self, at: offset + 5)
        attempt = try row.decode(Int.self, at: offset + 6)
        maxAttempts = try row.decode(Int.self, at: offset + 7)
        timeoutSeconds = try row.decode(Int.self, at: offset + 8)
        createdAt = Date(timeIntervalSince1970: try row.decode(Double.self, at: offset + 9))
        attemptedAt = Date(timeIntervalSince1970: try row.decode(Double.self, at: offset + 10))
    }
}
