import Foundation
import Postgres
import Testing
@testable import Scheduler

/// The queue's statements against a real PostgreSQL (a scratch database per test).
@Suite struct JobQueueTests {
    let me = UUID()

    @Test func enqueueWithAUniqueKeyReturnsThePendingJob() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = NewJob(tenantID: tenant, kind: "sync.incremental", exclusive: true, runID: UUID(), uniqueKey: "sync.incremental")
            let first = try await f.queue.enqueue(job)
            var again = job
            again.runID = UUID()
            let second = try await f.queue.enqueue(again)
            #expect(first.inserted && !second.inserted)
            #expect(second.id == first.id && second.runID == first.runID)
            // Once it runs it is no longer pending: the same key makes a new job.
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 1, lease: 30)
            let claim = try await f.queue.claim(worker: me, demand: 5, cursor: JobQueue.firstCursor)
            #expect(claim.jobs.map(\.id) == [first.id])
            let third = try await f.queue.enqueue(again)
            #expect(third.inserted && third.id != first.id)
        }
    }

    @Test func kindsAreCheckedAtEnqueue() throws {
        for good in ["sync.incremental", "test.noop", "token.keepalive", "a", "x1.y_2"] { #expect(throws: Never.self) { try JobQueue.requireValid(kind: good) } }
        for bad in ["", "Sync.now", "sync..now", ".sync", "sync.", "1sync", "sync-now", String(repeating: "a", count: 65)] {
            #expect(throws: JobQueue.InvalidKind.self) { try JobQueue.requireValid(kind: bad) }
        }
    }

    @Test func concurrentEnqueuesOfOneKeyMakeOneJob() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let results = try await withThrowingTaskGroup(of: EnqueuedJob.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "sync.full", exclusive: true, runID: UUID(), uniqueKey: "sync.full")) }
                }
                return try await group.reduce(into: [EnqueuedJob]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.id)).count == 1)
            #expect(Set(results.map(\.runID)).count == 1)
            #expect(results.filter(\.inserted).count == 1)
        }
    }

    @Test func aTenantWithThousandsOfJobsDoesNotDelayAnotherTenantsOneJob() async throws {
        try await QueueFixture.with { f in
            let tenants = try await f.tenants(2)
            let (busy, quiet) = (tenants[1], tenants[0])  // the quiet one sorts first: start the round after it
            #expect(try await f.queue.enqueueMany(tenants: Array(repeating: busy, count: 10_000), kind: "test.noop") == 10_000)
            let single = try await f.queue.enqueue(NewJob(tenantID: quiet, kind: "test.noop"))
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 10, lease: 30)
            // Whatever the round's starting point, the quiet tenant's job comes in the first claim.
            for cursor in [JobQueue.firstCursor, quiet, busy] {
                let claim = try await f.queue.claim(worker: me, demand: 10, cursor: cursor)
                #expect(claim.jobs.count == 10)
                if claim.jobs.contains(where: { $0.id == single.id }) { return }
                Issue.record("the quiet tenant's job was not in a claim starting after \(cursor)")
                return
            }
        }
    }

    @Test func tenantsTakeTurnsAcrossClaims() async throws {
        try await QueueFixture.with { f in
            let tenants = try await f.tenants(30)
            for tenant in tenants { _ = try await f.queue.enqueueMany(tenants: Array(repeating: tenant, count: 20), kind: "test.noop") }
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 10, lease: 30)
            var cursor = JobQueue.firstCursor
            var served: [UUID: Int] = [:]
            for _ in 0..<3 {
                let claim = try await f.queue.claim(worker: me, demand: 10, cursor: cursor)
                cursor = claim.nextCursor
                for job in claim.jobs { served[job.tenantID, default: 0] += 1 }
            }
            // Three claims of ten: thirty tenants, one job each, in turn.
            #expect(served.count == 30)
            #expect(served.values.allSatisfy { $0 == 1 })
        }
    }

    @Test func onlyOneExclusiveJobRunsPerTenantEvenWithConcurrentClaims() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            _ = try await f.queue.enqueueMany(tenants: Array(repeating: tenant, count: 5), kind: "sync.entity", exclusive: true)
            let workers = (0..<4).map { _ in UUID() }
            for worker in workers { try await f.queue.register(worker: worker, host: "test", pid: 1, workers: 5, lease: 30) }
            let claims = try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
                for worker in workers { group.addTask { try await f.queue.claim(worker: worker, demand: 5, cursor: JobQueue.firstCursor).jobs } }
                return try await group.reduce(into: [ClaimedJob]()) { $0 += $1 }
            }
            #expect(claims.count == 1)
            let running = try #require(claims.first)
            // Nothing more while it runs; the next one once it completes.
            #expect(try await f.queue.claim(worker: workers[0], demand: 5, cursor: JobQueue.firstCursor).jobs.isEmpty)
            let completed = try await f.queue.complete([.init(job: running.id, completion: .succeeded)], worker: try #require(try await f.queue.job(running.id)?.workerID))
            #expect(completed == 1)
            let next = try await f.queue.claim(worker: workers[1], demand: 5, cursor: JobQueue.firstCursor).jobs
            #expect(next.count == 1 && next[0].id != running.id)
        }
    }

    @Test func pausedTenantsExclusiveJobsWaitOthersRun() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let sync = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "sync.incremental", exclusive: true))
            let token = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "token.refresh"))
            try await f.database.withPlatform { tx in try await f.queue.pause(tenant: tenant, reason: "test", in: tx) }
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 5, lease: 30)
            #expect(try await f.queue.claim(worker: me, demand: 5, cursor: JobQueue.firstCursor).jobs.map(\.id) == [token.id])
            try await f.database.withPlatform { tx in try await f.queue.resume(tenant: tenant, in: tx) }
            #expect(try await f.queue.claim(worker: me, demand: 5, cursor: JobQueue.firstCursor).jobs.map(\.id) == [sync.id])
        }
    }

    @Test func failuresRetryWithBackoffThenDiscardKeepingTheErrors() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.fail", maxAttempts: 2))
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 1, lease: 30)
            _ = try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor)
            try await f.queue.complete([.init(job: job.id, completion: .failed(error: "first", retryAfter: 0.3))], worker: me)
            var record = try #require(try await f.queue.job(job.id))
            #expect(record.state == .retryable && record.runAt > Date() && record.lastError == "first")
            #expect(try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor).jobs.isEmpty)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await f.queue.promote() == 1)
            let second = try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor).jobs
            #expect(second.map(\.attempt) == [2])
            try await f.queue.complete([.init(job: job.id, completion: .failed(error: "second", retryAfter: 0.3))], worker: me)
            record = try #require(try await f.queue.job(job.id))
            #expect(record.state == .discarded && record.finishedAt != nil && record.lastError == "second")
            // RetryJob gives it one more attempt.
            let retried = try await f.queue.retry(job: job.id)
            #expect(retried.state == .available && retried.maxAttempts == 3)
        }
    }

    @Test func aDeadProcessesJobsAreRescuedOnlyAfterItsLeaseExpires() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "sync.full", exclusive: true))
            let dead = UUID()
            try await f.queue.register(worker: dead, host: "test", pid: 1, workers: 1, lease: 1)
            _ = try await f.queue.claim(worker: dead, demand: 1, cursor: JobQueue.firstCursor)
            #expect(try await f.queue.rescue() == 0)  // its lease still runs
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await f.queue.rescue() == 1)
            let record = try #require(try await f.queue.job(job.id))
            #expect(record.state == .available && record.workerID == nil && record.lastError?.contains("lease expired") == true)
            // The dead process's late completion changes nothing; its beat learns it lost the lease.
            #expect(try await f.queue.complete([.init(job: job.id, completion: .succeeded)], worker: dead) == 0)
            #expect(try await f.queue.heartbeat(worker: dead, lease: 1, statistics: .init(workers: 1, busy: 0, claimedTotal: 1, claimedPerSecond: 0, draining: false)).leaseHeld == false)
            // The lane was freed with it: another process takes the job.
            try await f.queue.register(worker: me, host: "test", pid: 2, workers: 1, lease: 30)
            #expect(try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor).jobs.map(\.attempt) == [2])
        }
    }

    @Test func transactionalCompletionHappensOnce() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "sync.full", exclusive: true))
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 1, lease: 30)
            _ = try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor)
            try await f.database.withTenant(tenant) { tx in try await f.queue.completeSucceeded(job: job.id, worker: me, in: tx) }
            #expect(try await f.state(of: job.id) == .succeeded)
            await #expect(throws: JobQueue.LeaseLost.self) {
                try await f.database.withTenant(tenant) { tx in try await f.queue.completeSucceeded(job: job.id, worker: me, in: tx) }
            }
        }
    }

    @Test func cancellingAPendingJobEndsItARunningOneIsAskedToStop() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let pending = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.noop", priority: 4))
            let running = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.noop", priority: 1))
            try await f.queue.register(worker: me, host: "test", pid: 1, workers: 1, lease: 30)
            #expect(try await f.queue.claim(worker: me, demand: 1, cursor: JobQueue.firstCursor).jobs.map(\.id) == [running.id])
            #expect(try await f.queue.cancel(job: pending.id) == .cancelled)
            #expect(try await f.queue.cancel(job: running.id) == .running)
            let beat = try await f.queue.heartbeat(worker: me, lease: 30, statistics: .init(workers: 1, busy: 1, claimedTotal: 1, claimedPerSecond: 0, draining: false))
            #expect(beat.cancelRequested == [running.id])
            await #expect(throws: JobQueue.ControlError.alreadyFinished(pending.id, .cancelled)) { try await f.queue.cancel(job: pending.id) }
            await #expect(throws: JobQueue.ControlError.noSuchJob(999_999)) { try await f.queue.cancel(job: 999_999) }
        }
    }

    @Test func concurrentTicksEnqueueEachDueScheduleOnce() async throws {
        try await QueueFixture.with { f in
            let tenants = try await f.tenants(50)
            try await f.database.withPlatform { tx in
                for tenant in tenants { try await f.queue.createSchedules(tenant: tenant, in: tx) }
                try await tx.query("UPDATE job_schedules SET next_at = now() - interval '1 second' WHERE kind = 'sync.incremental'")
            }
            let results = try await withThrowingTaskGroup(of: (due: Int, enqueued: Int).self) { group in
                for _ in 0..<4 { group.addTask { try await f.queue.tick(limit: 500) } }
                return try await group.reduce(into: [(due: Int, enqueued: Int)]()) { $0.append($1) }
            }
            #expect(results.map(\.due).reduce(0, +) == 50)
            #expect(results.map(\.enqueued).reduce(0, +) == 50)
            let count = try await f.database.platformStatement("SELECT count(*) FROM jobs WHERE kind = 'sync.incremental'")[0].decode(Int.self, at: 0)
            #expect(count == 50)
            // Not due again until the next interval (900 s ± 10%).
            #expect(try await f.queue.tick().due == 0)
            let next = try await f.database.platformStatement("SELECT min(next_at - now()) > interval '800 seconds' FROM job_schedules WHERE kind = 'sync.incremental'")[0].decode(Bool.self, at: 0)
            #expect(next)
        }
    }
}
