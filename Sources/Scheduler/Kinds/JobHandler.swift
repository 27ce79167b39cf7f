import Foundation
import Logging
import Storage

/// What a job's body hands back when it returns (throwing counts as `.failed`).
public enum JobOutcome: Sendable, Equatable {
    case succeeded
    /// The body completed the job itself, inside its own transaction (`JobContext.complete(in:)`).
    case completedInTransaction
    /// Failed; retried after the policy's backoff (or `after` seconds), unless attempts are used up.
    case failed(String, after: Double? = nil)
    /// Failed for good: do not retry.
    case discarded(String)
    case cancelled(String)
}

/// Why a running job's task was cancelled.
public enum StopReason: String, Sendable {
    /// An operator or the tenant asked (CancelJob, CancelSyncRun).
    case requested
    /// It ran past its own timeout.
    case timedOut
    /// This process is draining (SIGTERM) and the grace period ran out.
    case draining
    /// This process lost its lease: the job may already run elsewhere.
    case leaseLost
}

/// What a job's body gets: the job, and the way to complete it transactionally.
public struct JobContext: Sendable {
    public let job: ClaimedJob
    public let worker: UUID
    public let queue: JobQueue
    private let baseLogger: Logger
    let stopReasonProvider: @Sendable () async -> StopReason?

    public init(job: ClaimedJob, worker: UUID, queue: JobQueue, logger: Logger, stopReason: @escaping @Sendable () async -> StopReason? = { nil }) {
        self.job = job
        self.worker = worker
        self.queue = queue
        self.baseLogger = logger
        self.stopReasonProvider = stopReason
    }

    /// The pool's logger with the job's id and kind. Made when a body asks for
    /// it, not per job: setting metadata costs more than a no-op job.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "kind"] = "\(job.kind)"
        return logger
    }

    /// Why the job's task was cancelled, once it has been: a body that records
    /// its own state (a sync run) says "cancelled" only for `.requested`.
    public func stopReason() async -> StopReason? {
        await stopReasonProvider()
    }

    /// Completes the job inside `tx`, so the body's writes and the completion
    /// commit together (a job done this way runs exactly once). Return
    /// `.completedInTransaction` afterwards. Throws `JobQueue.LeaseLost` if the
    /// job is no longer this process's — the body must let `tx` roll back.
    public func complete<Scope>(in tx: ScopedTransaction<Scope>) async throws {
        try await queue.completeSucceeded(job: job.id, worker: worker, in: tx)
    }
}

/// A job kind's body. It runs in a task of its own that is cancelled when
/// the job must stop (see `StopReason`); bodies should check cancellation
/// between steps and throw `CancellationError`.
public typealias JobHandler = @Sendable (JobContext) async throws -> JobOutcome

/// The job kinds a process can run, by name.
public struct JobRegistry: Sendable {
    private var handlers: [String: JobHandler] = [:]

    public init() {}

    public mutating func register(_ kind: String, _ handler: @escaping JobHandler) {
        handlers[kind] = handler
    }

    public func handler(for kind: String) -> JobHandler? { handlers[kind] }

    public var kinds: [String] { handlers.keys.sorted() }
}
