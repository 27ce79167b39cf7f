import Foundation
import Testing
@testable import Scheduler

/// A running job past its own timeout is stopped and its attempt counted as failed,
/// by a pool of one worker whose watchdog was first armed for a later deadline.
@Suite struct WorkerTimeoutTests {
    @Test func aJobPastItsTimeoutIsStoppedEvenAfterALongerOne() async throws {
        try await QueueFixture.with { f in
            let tenant = try await f.tenants(1)[0]
            var registry = JobRegistry()
            registry.register("test.quick") { _ in .succeeded }
            registry.register("test.hang") { _ in
                try await Task.sleep(for: .seconds(3600))
                return .succeeded
            }
            var configuration = WorkerPoolConfiguration()
            configuration.workers = 1
            configuration.pollInterval = 0.1
            let pool = WorkerPool(queue: f.queue, registry: registry, configuration: configuration)
            let running = Task { try await pool.run() }

            // The worker's watchdog is armed for this job's deadline, 30 minutes ahead.
            let quick = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.quick", timeoutSeconds: 1800))
            try await waitFor(f, quick.id) { $0.state == .succeeded }
            let hang = try await f.queue.enqueue(NewJob(tenantID: tenant, kind: "test.hang", maxAttempts: 1, timeoutSeconds: 1))
            let started = ContinuousClock.now
            let record = try await waitFor(f, hang.id) { $0.state == .discarded }
            #expect(record.lastError?.contains("timed out after 1 s") == true)
            #expect(ContinuousClock.now - started < .seconds(5))

            await pool.drain(grace: 0)
            try await running.value
        }
    }

    @discardableResult
    private func waitFor(_ f: QueueFixture, _ job: Int64, _ done: (JobRecord) -> Bool) async throws -> JobRecord {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let record = try #require(try await f.queue.job(job))
            if done(record) { return record }
            guard ContinuousClock.now < deadline else {
                Issue.record("job \(job) still \(record.state) after 10 s")
                return record
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
