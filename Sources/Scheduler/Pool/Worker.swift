import Foundation
import Logging

/// One slot of the pool: runs one job at a time, in a task of its own, and
/// stops it (cancels the task) when asked, on timeout, on drain, or when the
/// process has lost its lease. The actor is reentrant while the job runs, so
/// a stop arrives while `run` is waiting for the body.
///
/// Timeouts are kept by one watchdog task per worker, not one sleeping task
/// per job: arming a timer and cancelling it for every job was ~9% of the
/// pool's CPU with short jobs (ops/bench/queue). The watchdog sleeps until the
/// earliest deadline it knows of and, on waking, stops the current job if that
/// job's own deadline has passed; it is re-armed only when a job's deadline
/// comes before the watchdog's wake-up.
actor Worker {
    private var current: (job: Int64, task: Task<JobOutcome, any Error>, deadline: ContinuousClock.Instant)?
    private var stopReason: StopReason?
    private var watchdog: (task: Task<Void, Never>, wake: ContinuousClock.Instant, generation: Int)?
    private var generation = 0

    deinit {
        watchdog?.task.cancel()
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
        let deadline = ContinuousClock.now + .seconds(job.timeoutSeconds)
        current = (job.id, task, deadline)
        if watchdog == nil || deadline < watchdog!.wake { arm(until: deadline) }
        let result = await task.result
        current = nil
        return Self.completion(for: result, stopped: stopReason, job: job, retry: retry)
    }

    func stop(job: Int64, reason: StopReason) {
        guard let current, current.job == job else { return }
        if stopReason == nil { stopReason = reason }
        current.task.cancel()
    }

    private func arm(until wake: ContinuousClock.Instant) {
        watchdog?.task.cancel()
        generation += 1
        let generation = generation
        // Weak: a sleeping watchdog does not keep a finished pool's worker alive (deinit cancels it).
        let task = Task { [weak self] in
            guard (try? await Task.sleep(until: wake, clock: .continuous)) != nil else { return }
            await self?.watchdogWoke(generation)
        }
        watchdog = (task, wake, generation)
    }

    private func watchdogWoke(_ generation: Int) {
        // A watchdog replaced after its sleep ended, but before it got here, has nothing to do.
        guard watchdog?.generation == generation else { return }
        watchdog = nil
        guard let current else { return }  // idle: the next job arms a new one
        if ContinuousClock.now >= current.deadline {
            stop(job: current.job, reason: .timedOut)
        } else {
            arm(until: current.deadline)
        }
    }

    private func reason(for job: Int64) -> StopReason? {
        current?.job == job ? stopReason : nil
    }

    static func completion(for result: Result<JobOutcome, any Error>, stopped: StopReason?, job: ClaimedJob, retry: RetryPolicy) -> JobQueue.Completion? {
        // Computed only for failures: the jittered delay draws a random number.
        var backoff: Double { retry.delay(afterAttempt: job.attempt) }
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
