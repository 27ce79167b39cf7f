import Foundation
import Postgres
import Testing
@testable import Scheduler

/// The worker pool in this process against a real PostgreSQL (a scratch database per test).
@Suite struct WorkerPoolTests {
    func registry() -> JobRegistry {
        var registry = JobRegistry()
        registry.register("test.noop") { _ in .succeeded }
        registry.register("test.sleep") { context in
            try await Task.sleep(for: .milliseconds(context.job.args["ms"] as? Int ?? 100))
            return .succeeded
        }
        return registry
    }

    func configuration(workers: Int = 4) -> WorkerPoolConfiguration {
        var configuration = WorkerPoolConfiguration()
        configuration.workers = workers
        configuration.pollInterval = 0.1
        configuration.lease = 4
        configuration.runsSchedules = false
        return configuration
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }

    func count(_ f: QueueFixture, _ state: JobState) async throws -> Int {
        try await f.database.platformStatement("SELECT count(*) FROM jobs WHERE state = \(state.rawValue)")[0].decode(Int.self, at: 0)
    }

    @Test func runsEveryJobOnceAndStopsCleanly() async throws {
        try await QueueFixture.with { f in
            let tenants = try await f.tenants(10)
            _ = try await f.queue.enqueueMany(tenants: tenants.flatMap { Array(repeating: $0, count: 30) }, kind: "test.noop")
            let pool = WorkerPool(queue: f.queue, registry: registry(), configuration: configuration())
            let running = Task { try await pool.run() }
            try await waitFor("300 jobs to succeed") { try await count(f, .succeeded) == 300 }
            await pool.drain(grace: 1)
            try await running.value
            #expect(try await f.database.platformStatement("SELECT count(*) FROM job_workers")[0].decode(Int.self, at: 0) == 0)
            #expect(try await f.database.platformStatement("SELECT max(attempt) FROM jobs")[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func aJobPastItsTimeoutIsCancelledAndRetried() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.sleep", argsJSON: #"{"ms": 30000}"#, maxAttempts: 3, timeoutSeconds: 1))
            let pool = WorkerPool(queue: f.queue, registry: registry(), configuration: configuration())
            let running = Task { try await pool.run() }
            try await waitFor("the timeout") { try await f.state(of: job.id) == .retryable }
            let record = try #require(try await f.queue.job(job.id))
            #expect(record.lastError == "timed out after 1 s" && record.attempt == 1)
            await pool.drain(grace: 0)
            try await running.value
        }
    }

    @Test func drainingHandsBackWhatOutlivesTheGracePeriod() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let long = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.sleep", argsJSON: #"{"ms": 30000}"#))
            let short = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.sleep", argsJSON: #"{"ms": 200}"#))
            let pool = WorkerPool(queue: f.queue, registry: registry(), configuration: configuration())
            let running = Task { try await pool.run() }
            try await waitFor("both to run") { try await count(f, .running) == 2 }
            let started = ContinuousClock.now
            await pool.drain(grace: 1)
            try await running.value
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await f.state(of: short.id) == .succeeded)
            let handedBack = try #require(try await f.queue.job(long.id))
            #expect(handedBack.state == .available && handedBack.attempt == 0 && handedBack.workerID == nil)
        }
    }

    @Test func anUnknownKindFailsAndIsLeftForAProcessThatKnowsIt() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            let job = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "newer.kind"))
            let pool = WorkerPool(queue: f.queue, registry: registry(), configuration: configuration())
            let running = Task { try await pool.run() }
            try await waitFor("the attempt") { try await f.state(of: job.id) == .retryable }
            #expect(try await f.queue.job(job.id)?.lastError == "this process has no job kind newer.kind")
            await pool.drain(grace: 0)
            try await running.value
        }
    }
}
