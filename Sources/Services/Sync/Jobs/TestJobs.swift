import Foundation
import Postgres
import Scheduler
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// Job kinds for the tests only, registered with `serve --test-hooks`:
/// - `test.noop`: succeeds.
/// - `test.sleep`: sleeps `ms` (cancellable), then succeeds.
/// - `test.stubborn`: sleeps `ms` and ignores cancellation (a body that does not cooperate).
/// - `test.fail`: fails with `error` (default "failing on command").
/// - `test.crash`: kills its own process with SIGKILL, like an OOM kill.
/// - `test.record`: records each execution in the table `test_executions`,
///   which the test creates (a start row when it begins; the finish and the
///   job's completion commit together), sleeping `ms` in between. The test
///   then checks that every job finished exactly once and that no two
///   executions of a job overlapped.
enum TestJobs {
    static func register(in registry: inout JobRegistry, database: Database) {
        registry.register("test.noop") { _ in .succeeded }
        registry.register("test.sleep") { context in
            try await Task.sleep(for: .milliseconds(context.job.args["ms"] as? Int ?? 100))
            return .succeeded
        }
        registry.register("test.stubborn") { context in
            let until = ContinuousClock.now + .milliseconds(context.job.args["ms"] as? Int ?? 100)
            while ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(20)) }
            return .succeeded
        }
        registry.register("test.fail") { context in
            .failed(context.job.args["error"] as? String ?? "failing on command", after: context.job.args["retry_after"] as? Double)
        }
        registry.register("test.crash") { _ in
            kill(getpid(), SIGKILL)
            return .succeeded
        }
        registry.register("test.record") { context in
            let job = context.job
            let execution = UUID()
            try await database.withPlatform { tx in
                try await tx.query("""
                    INSERT INTO test_executions (job_id, execution, worker, attempt, started_at) VALUES (\(job.id), \(execution), \(context.worker), \(job.attempt), clock_timestamp())
                    """)
            }
            try await Task.sleep(for: .milliseconds(job.args["ms"] as? Int ?? 50))
            try await database.withPlatform { tx in
                try await tx.query("UPDATE test_executions SET finished_at = clock_timestamp() WHERE execution = \(execution)")
                try await context.complete(in: tx)
            }
            return .completedInTransaction
        }
    }
}
