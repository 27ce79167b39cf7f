import Foundation
import Logging
import Postgres
import Storage

/// A process's worker pool: `configuration.workers` worker actors fed by
/// batched claims. Claims happen when a NOTIFY says jobs arrived (enqueue,
/// promotion, a freed lane), when a worker frees up while there was a
/// backlog, and every `pollInterval` in case a notification was missed.
/// Completions are written in batches. The heartbeat keeps this process's
/// lease; maintenance (promotion, schedules, rescue of dead processes'
/// jobs, pruning) runs here too — every statement of it is safe to run from
/// several processes at once.
///
/// `run()` lives until `drain(grace:)`: claiming stops, running jobs get the
/// grace period to finish, the rest are cancelled and handed back for other
/// processes, completions are flushed and the lease is given up.
public actor WorkerPool {
    public nonisolated let id = UUID()
    let queue: JobQueue
    let registry: JobRegistry
    let configuration: WorkerPoolConfiguration
    let logger: Logger
    private var idle: [Worker]
    private var busy: [Int64: Worker] = [:]
    private var cursor = JobQueue.firstCursor
    private var draining = false
    private var backlogLikely = false
    private var claimedTotal: Int64 = 0
    private var rateSample: (at: ContinuousClock.Instant, total: Int64) = (.now, 0)
    private var claimedPerSecond = 0.0
    private var lastHeldBeat = ContinuousClock.now
    private let completions: CompletionBatcher
    private let metrics = PoolMetrics()
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    public init(queue: JobQueue, registry: JobRegistry, configuration: WorkerPoolConfiguration = WorkerPoolConfiguration(),
                logger: Logger = Logger(label: "ledgerbridge.jobs")) {
        self.queue = queue
        self.registry = registry
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker"] = "\(id.uuidString.lowercased().prefix(8))"
        self.logger = logger
        self.idle = (0..<max(1, configuration.workers)).map { _ in Worker() }
        self.completions = CompletionBatcher(queue: queue, worker: id, maxBatch: configuration.completionBatch, logger: logger, metrics: metrics)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs until drained (or the calling task is cancelled, which drains with no grace).
    public func run() async throws {
        try await register()
        await withTaskGroup(of: Void.self) { loops in
            loops.addTask { await self.listen() }
            loops.addTask { await self.poll() }
            loops.addTask { await self.beat() }
            loops.addTask { await self.maintain() }
            loops.addTask { await self.completions.run() }
            await withTaskCancellationHandler {
                await self.claimAndRun()
            } onCancel: {
                Task { await self.drain(grace: 0) }
            }
            loops.cancelAll()
        }
        await completions.writeRemaining()
        do {
            try await queue.deregister(worker: id)
        } catch {
            logger.warning("could not give up the lease; it expires by itself", metadata: ["error": "\(error)"])
        }
        logger.info("worker pool stopped", metadata: ["claimed": "\(claimedTotal)"])
    }

    /// Stops claiming; running jobs get `grace` seconds, then are cancelled and handed back.
    public func drain(grace: Double) async {
        guard !draining else { return }
        draining = true
        wake.finish()
        logger.info("draining", metadata: ["running": "\(busy.count)", "grace_seconds": "\(grace)"])
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, grace) * 1000))
        while !busy.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for (job, worker) in busy {
            await worker.stop(job: job, reason: .draining)
        }
    }

    /// Whether every job's body has returned, waiting up to `limit` for it (after a drain).
    public func settled(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !busy.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return busy.isEmpty
    }

    /// Asks the job to stop, if it runs here.
    public func stop(job: Int64, reason: StopReason) async {
        await busy[job]?.stop(job: job, reason: reason)
    }

    // MARK: claiming and running

    private func claimAndRun() async {
        wake.yield()
        await withDiscardingTaskGroup { jobs in
            for await _ in wakes {
                if draining { break }
                let demand = min(idle.count, configuration.claimBatch)
                guard demand > 0 else { continue }
                let claim: JobQueue.Claim
                let started = ContinuousClock.now
                do {
                    claim = try await queue.claim(worker: id, demand: demand, cursor: cursor)
                    metrics.claimDuration.record(duration: ContinuousClock.now - started)
                } catch {
                    logger.warning("claim failed; trying again at the next poll", metadata: ["error": "\(error)"])
                    continue
                }
                cursor = claim.nextCursor
                claimedTotal += Int64(claim.jobs.count)
                metrics.claimed.increment(by: claim.jobs.count)
                // Anything claimed: there may be more (a tenant's share can leave work behind).
                backlogLikely = !claim.jobs.isEmpty
                for job in claim.jobs {
                    let worker = idle.removeLast()
                    busy[job.id] = worker
                    jobs.addTask { await self.execute(job, on: worker) }
                }
                metrics.busy.record(busy.count)
                // Something claimed and workers still free: there may be more right now.
                if backlogLikely, !idle.isEmpty { wake.yield() }
            }
        }
    }

    private func execute(_ job: ClaimedJob, on worker: Worker) async {
        let completion = await worker.run(job, worker: id, queue: queue, logger: logger, handler: registry.handler(for: job.kind), retry: configuration.retry)
        if let completion {
            if case .failed(let error, _) = completion {
                logger.info("job attempt failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempt)", "error": "\(error)"])
            }
            await completions.add(JobQueue.Completed(job: job.id, completion: completion))
        }
        busy[job.id] = nil
        idle.append(worker)
        if backlogLikely, !draining { wake.yield() }
    }

    // MARK: the loops beside claiming

    private func register() async throws {
        metrics.workers.record(configuration.workers)
        try await queue.register(worker: id, host: ProcessInfo.processInfo.hostName, pid: Int(ProcessInfo.processInfo.processIdentifier),
                                 workers: configuration.workers, lease: configuration.lease)
        lastHeldBeat = .now
    }

    private func listen() async {
        let events: AsyncStream<PostgresListener.Event>
        do {
            events = try queue.database.listen(channels: [JobQueue.jobsChannel, JobQueue.cancelChannel])
        } catch {
            logger.error("cannot LISTEN; claiming by polling only", metadata: ["error": "\(error)"])
            return
        }
        for await event in events {
            switch event {
            case .subscribed:
                if !draining { wake.yield() }
            case .notification(let note) where note.channel == JobQueue.cancelChannel:
                if let job = Int64(note.payload) { await stop(job: job, reason: .requested) }
            case .notification:
                if !draining { wake.yield() }
            }
        }
    }

    private func poll() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(configuration.pollInterval * 1000)))
            if !draining { wake.yield() }
        }
    }

    private func beat() async {
        let interval = configuration.heartbeatInterval
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            if Task.isCancelled { return }
            let started = ContinuousClock.now
            let since = started - rateSample.at
            let elapsed = Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
            if elapsed > 0 { claimedPerSecond = Double(claimedTotal - rateSample.total) / elapsed }
            rateSample = (started, claimedTotal)
            do {
                let beat = try await queue.heartbeat(worker: id, lease: configuration.lease, statistics: .init(
                    workers: configuration.workers, busy: busy.count, claimedTotal: claimedTotal, claimedPerSecond: claimedPerSecond, draining: draining))
                if beat.leaseHeld {
                    lastHeldBeat = started
                } else {
                    logger.critical("this process's lease expired (beats did not reach the database in time): stopping its jobs, which may run elsewhere now")
                    await fence()
                    try await register()
                }
                for job in beat.cancelRequested { await stop(job: job, reason: .requested) }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                // Stop the jobs before the lease can expire in the database, so they never run twice at once.
                if ContinuousClock.now - lastHeldBeat > .milliseconds(Int64((configuration.lease - interval) * 1000)) {
                    logger.critical("no heartbeat for most of the lease: stopping this process's jobs before they could be rescued")
                    await fence()
                }
            }
        }
    }

    private func fence() async {
        for (job, worker) in busy { await worker.stop(job: job, reason: .leaseLost) }
    }

    private func maintain() async {
        var lastRescue = ContinuousClock.now - .seconds(3600)
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(configuration.maintenanceInterval * 1000)))
            if Task.isCancelled || draining { return }
            do {
                try await queue.promote()
                if configuration.runsSchedules {
                    while try await queue.tick(policy: configuration.schedules).due == 500 {}
                }
                let now = ContinuousClock.now
                if now - lastRescue >= .milliseconds(Int64(configuration.rescueInterval * 1000)) {
                    lastRescue = now
                    let rescued = try await queue.rescue()
                    if rescued > 0 { logger.warning("rescued jobs of a process whose lease expired", metadata: ["jobs": "\(rescued)"]) }
                }
                if now - lastPrune >= .milliseconds(Int64(configuration.housekeepingInterval * 1000)) {
                    lastPrune = now
                    try await queue.prune(retention: configuration.retention)
                    try await configuration.housekeeping?()
                }
            } catch is CancellationError {
                return  // the pool is stopping
            } catch {
                logger.warning("queue maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
