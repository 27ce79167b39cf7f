import Foundation
import Logging

/// One slot of the pool: runs one job at a time, in a task of its own, and
/// stops it (cancels the task) when asked, on timeout, on drain, or when the
/// process has lost its lease. The actor is reentrant while the job runs, so
/// a stop arrives while `run` is waiting for the body.
actor Worker {
    let index: Int
    private var current: (job: Int64, task: Task<JobOutcome, any Error>)?
    private var stopReason: StopReason?

    init(index: Int) {
        self.index = index
    }

    /// Runs the body; what to record, or nil when nothing may be recorded (the
    /// body completed the job in its own transaction).
    func run(_ job: ClaimedJob, worker: UUID, queue: JobQueue, logger: Logger, handler: JobHandler?, retry: RetryPolicy) async -> JobQueue.Completion? {
        let context = JobContext(job: job, worker: worker, queue: queue, logger: logger) { [weak self] in await self?.reason(for: job.id) }
        guard let handler else {
            // A process of another version enqueued a kind this one lacks: let one that has it take it.
            return .failed(error: "this process has no job kind \(job.kind)", retryAfter: retry.delay(afterAttempt: job.attempt))
        }
        stopReason = nil
        let task = Task { try await handler(context) }
        current = (job.id, task)
        let timeout = Task { [weak self] in
            try await Task.sleep(for: .seconds(job.timeoutSeconds))
            await self?.stop(job: job.id, reason: .timedOut)
        }
        let result = await task.result
        timeout.cancel()
        current = nil
        return Self.completion(for: result, stopped: stopReason, job: job, retry: retry)
    }

    func stop(job: Int64, reason: StopReason) {
        guard let current, current.job == job else { return }
        if stopReason == nil { stopReason = reason }
        current.task.cancel()
    }

    var runningJob: Int64? { current?.job }

    private func reason(for job: Int64) -> StopReason? {
        current?.job == job ? stopReason : nil
    }

    static func completion(for result: Result<JobOutcome, any Error>, stopped: StopReason?, job: ClaimedJob, retry: RetryPolicy) -> JobQueue.Completion? {
        let backoff = retry.delay(afterAttempt: job.attempt)
        switch result {
        case .success(.succeeded): return .succeeded
        case .success(.completedInTransaction): return nil
        case .success(.failed(let error, let after)): return .failed(error: error, retryAfter: after ?? backoff)
        case .success(.discarded(let error)): return .discarded(error: error)
        case .success(.cancelled(let reason)): return .cancelled(reason: reason)
        case .failure(let error):
            switch stopped {
            case .requested: return .cancelled(reason: "cancelled by request")
            case .timedOut: return .failed(error: "timed out after \(job.timeoutSeconds) s", retryAfter: backoff)
            // Handed back: the job did not fail. If it was rescued meanwhile, the
            // completion finds it no longer ours and changes nothing.
            case .draining, .leaseLost: return .handedBack
            case nil: return .failed(error: String(describing: error), retryAfter: backoff)
            }
        }
    }
}
