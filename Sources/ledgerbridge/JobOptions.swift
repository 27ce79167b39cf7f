import ArgumentParser
import Scheduler

/// `serve`'s options for the job queue's worker pool.
struct JobOptions: ParsableArguments {
    @Option(name: .customLong("workers"), help: "Jobs this process runs at once; 0 runs none (an API-only process) (env: LEDGERBRIDGE_WORKERS; default 10).")
    var workers: Int?

    @Option(name: .customLong("job-lease"), help: """
        Seconds a process's lease on its running jobs lasts without a heartbeat (4 beats per lease). \
        A job whose process died runs again within about this long (env: LEDGERBRIDGE_JOB_LEASE; default 20, at least 2).
        """)
    var lease: Double?

    @Option(name: .customLong("job-poll-interval"), help: "Seconds between claims when no NOTIFY arrives (env: LEDGERBRIDGE_JOB_POLL_INTERVAL; default 1).")
    var pollInterval: Double?

    @Option(name: .customLong("job-retry-base"), help: "Seconds before a failed job's first retry; doubles per attempt up to an hour, ±10% (env: LEDGERBRIDGE_JOB_RETRY_BASE; default 5).")
    var retryBase: Double?

    @Flag(name: .customLong("test-hooks"), help: "Tests only: register the test.* job kinds (sleep, fail, crash, record) (env: LEDGERBRIDGE_TEST_HOOKS=1).")
    var testHooks = false

    @Option(name: .customLong("test-sync-run-ms"), help: "Tests only, with --test-hooks: how long each sync run takes (the engine has no rules yet) (env: LEDGERBRIDGE_TEST_SYNC_RUN_MS; default 0).")
    var testSyncRunMilliseconds: Int?

    struct Resolved {
        var pool: WorkerPoolConfiguration
        var testHooks: Bool
        var testSyncDuration: Duration
    }

    func resolved() throws -> Resolved {
        var pool = WorkerPoolConfiguration()
        let workersText = Environment.value(workers.map(String.init), "LEDGERBRIDGE_WORKERS") ?? "10"
        guard let count = Int(workersText), (0...1000).contains(count) else { throw ValidationError("--workers must be from 0 to 1000, not \(workersText)") }
        pool.workers = count
        let leaseText = Environment.value(lease.map { String($0) }, "LEDGERBRIDGE_JOB_LEASE") ?? "20"
        guard let leaseSeconds = Double(leaseText), leaseSeconds >= 2, leaseSeconds <= 3600 else {
            throw ValidationError("--job-lease must be from 2 to 3600 seconds, not \(leaseText)")
        }
        pool.lease = leaseSeconds
        pool.rescueInterval = min(2, leaseSeconds / 4)
        let pollText = Environment.value(pollInterval.map { String($0) }, "LEDGERBRIDGE_JOB_POLL_INTERVAL") ?? "1"
        guard let poll = Double(pollText), poll >= 0.01, poll <= 60 else { throw ValidationError("--job-poll-interval must be from 0.01 to 60 seconds, not \(pollText)") }
        pool.pollInterval = poll
        let retryText = Environment.value(retryBase.map { String($0) }, "LEDGERBRIDGE_JOB_RETRY_BASE") ?? "5"
        guard let retry = Double(retryText), retry >= 0, retry <= 3600 else { throw ValidationError("--job-retry-base must be from 0 to 3600 seconds, not \(retryText)") }
        pool.retry = RetryPolicy(base: retry)
        let hooks = testHooks || Environment.value(nil, "LEDGERBRIDGE_TEST_HOOKS") == "1"
        let syncText = Environment.value(testSyncRunMilliseconds.map(String.init), "LEDGERBRIDGE_TEST_SYNC_RUN_MS")
        if syncText != nil, !hooks { throw ValidationError("--test-sync-run-ms needs --test-hooks") }
        guard let syncMilliseconds = Int(syncText ?? "0"), syncMilliseconds >= 0 else { throw ValidationError("--test-sync-run-ms must be a number of milliseconds") }
        return Resolved(pool: pool, testHooks: hooks, testSyncDuration: .milliseconds(syncMilliseconds))
    }
}
