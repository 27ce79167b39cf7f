import Foundation

/// A job to enqueue.
public struct NewJob: Sendable {
    public var tenantID: UUID
    public var kind: String
    /// Exclusive jobs (syncs) run one at a time per tenant, across every process.
    public var exclusive: Bool
    /// 1 first; orders a tenant's own jobs (tenants take turns regardless).
    public var priority: Int
    /// Options as a JSON object: entity names, flags. Never business data or secrets.
    public var argsJSON: String
    public var runID: UUID?
    /// At most one pending job per tenant and key: enqueueing it again returns the pending one.
    public var uniqueKey: String?
    public var maxAttempts: Int
    public var timeoutSeconds: Int
    /// Later than now: the job waits (`scheduled`) until then.
    public var runAt: Date?

    public init(tenantID: UUID, kind: String, exclusive: Bool = false, priority: Int = 2, argsJSON: String = "{}", runID: UUID? = nil,
                uniqueKey: String? = nil, maxAttempts: Int = 10, timeoutSeconds: Int = 1800, runAt: Date? = nil) {
        self.tenantID = tenantID
        self.kind = kind
        self.exclusive = exclusive
        self.priority = priority
        self.argsJSON = argsJSON
        self.runID = runID
        self.uniqueKey = uniqueKey
        self.maxAttempts = maxAttempts
        self.timeoutSeconds = timeoutSeconds
        self.runAt = runAt
    }
}

/// What enqueueing gave: the new job, or the pending one with the same unique key.
public struct EnqueuedJob: Sendable, Equatable {
    public var id: Int64
    public var runID: UUID?
    /// false: a pending job with the same unique key was there already, and this is it.
    public var inserted: Bool
}
