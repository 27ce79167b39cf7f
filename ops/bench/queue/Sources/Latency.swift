import Foundation
import Logging
import Postgres
import Scheduler
import Storage
import Synchronization

/// When each job's body started, by job id.
final class StartTimes: Sendable {
    private let starts = Mutex<[Int64: Double]>([:])
    /// Seconds from the job's `created_at` (PostgreSQL's clock, the enqueue's
    /// transaction start) to now (this process's clock; the same machine's).
    func record(_ job: ClaimedJob) {
        let latency = Date().timeIntervalSince(job.createdAt)
        starts.withLock { $0[job.id] = latency }
    }
    var count: Int { starts.withLock { $0.count } }
    func latencies(of jobs: [Int64]) -> [Double] { starts.withLock { all in jobs.compactMap { all[$0] } } }
}

/// Latency: the pool runs idle; jobs are enqueued one at a time (`enqueue`,
/// its own transaction, NOTIFY on commit) at a steady rate, open loop. Two
/// figures per job: from `created_at` to the start of its body (what a caller
/// waits for), and `attempted_at - created_at`, both set by PostgreSQL (the
/// claim sets `attempted_at = clock_timestamp()` as it updates the row).
func runLatency(_ options: Options, logger: Logger) async throws {
    let database = Database(url: options.appURL, pool: PoolConfiguration(maxConnections: options.connections))
    defer { database.close() }
    let queue = JobQueue(database: database)
    try await BenchDatabase.requireIdleQueue(database)
    let tenants = try await BenchDatabase.tenants(options.tenants, in: database)

    let starts = StartTimes()
    var registry = JobRegistry()
    registry.register(BenchDatabase.kind) { context in
        starts.record(context.job)
        return .succeeded
    }
    let pool = WorkerPool(queue: queue, registry: registry, configuration: options.poolConfiguration, logger: logger)
    let running = Task { try await pool.run() }
    // Let the pool take its lease and LISTEN before the first enqueue.
    try await Task.sleep(for: .seconds(1))

    let total = Int(options.rate * options.seconds)
    let interval = 1 / options.rate
    var counted: [Int64] = []
    let begin = ContinuousClock.now
    for i in 0..<total {
        let offset = Double(i) * interval
        let due = begin + .nanoseconds(Int64(offset * 1e9))
        if due > .now { try await Task.sleep(until: due, clock: .continuous) }
        let job = try await queue.enqueue(NewJob(tenantID: tenants[i % tenants.count], kind: BenchDatabase.kind))
        if offset >= options.warmup { counted.append(job.id) }
    }
    let enqueueSeconds = seconds(.now - begin)
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
        if starts.count == total, !(try await BenchDatabase.unfinished(database)) { break }
        guard ContinuousClock.now < deadline else { throw BenchError.wrongResult("\(total - starts.count) job(s) not run 30 s after the last enqueue") }
        try await Task.sleep(for: .milliseconds(5))
    }
    await pool.drain(grace: 5)
    try await running.value

    let rows = try await database.platformStatement("""
        SELECT extract(epoch FROM attempted_at - created_at)::float8 FROM jobs WHERE id = ANY(\(counted)::int8[]) AND state = 'succeeded'
        """)
    let claimed = try rows.map { try $0.decode(Double.self, at: 0) }
    let started = starts.latencies(of: counted)
    guard claimed.count == counted.count, started.count == counted.count else {
        throw BenchError.wrongResult("\(counted.count) jobs counted: \(claimed.count) succeeded, \(started.count) started")
    }
    print("RESULT peer=ours mode=latency rate=\(format(options.rate)) achieved_rate=\(format(Double(total) / enqueueSeconds))"
          + " jobs=\(counted.count) start_p50_ms=\(milliseconds(percentile(50, of: started))) start_p99_ms=\(milliseconds(percentile(99, of: started)))"
          + " start_max_ms=\(milliseconds(started.max()))"
          + " claim_p50_ms=\(milliseconds(percentile(50, of: claimed))) claim_p99_ms=\(milliseconds(percentile(99, of: claimed))) \(options.settings)")
}
