import Foundation
import Logging
import Postgres
import Scheduler
import Storage
import Synchronization

/// Counts handler runs across the pool's worker tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Throughput: J no-op jobs enqueued first (`enqueueMany`, tenants round-robin),
/// then a `WorkerPool` started; the clock runs from the pool's start until no
/// job is available or running any more, i.e. every completion is committed.
/// The pool's start-up (lease, LISTEN) is inside the measured time, as a
/// process's would be.
func runThroughput(_ options: Options, logger: Logger) async throws {
    let database = Database(url: options.appURL, pool: PoolConfiguration(maxConnections: options.connections))
    defer { database.close() }
    let queue = JobQueue(database: database)
    try await BenchDatabase.requireIdleQueue(database)
    let tenants = try await BenchDatabase.tenants(options.tenants, in: database)
    let before = try await BenchDatabase.lastJobID(database)

    let enqueueStart = ContinuousClock.now
    var enqueued = 0
    while enqueued < options.jobs {
        // 5,000 a statement: one array bind, not J parameters.
        let chunk = (0..<min(5_000, options.jobs - enqueued)).map { tenants[(enqueued + $0) % tenants.count] }
        enqueued += try await queue.enqueueMany(tenants: chunk, kind: BenchDatabase.kind)
    }
    let enqueueSeconds = seconds(.now - enqueueStart)

    let handled = Counter()
    var registry = JobRegistry()
    registry.register(BenchDatabase.kind) { _ in
        handled.increment()
        return .succeeded
    }
    let pool = WorkerPool(queue: queue, registry: registry, configuration: options.poolConfiguration, logger: logger)
    let cpuBefore = processCPUSeconds()
    let start = ContinuousClock.now
    let running = Task { try await pool.run() }
    // Until every body ran, nothing can be finished: no database probes yet.
    while handled.value < options.jobs {
        try await Task.sleep(for: .milliseconds(1))
    }
    let handlersDone = ContinuousClock.now
    while try await BenchDatabase.unfinished(database) {
        try await Task.sleep(for: .milliseconds(2))
    }
    let elapsed = seconds(.now - start)
    let cpu = processCPUSeconds() - cpuBefore
    await pool.drain(grace: 5)
    try await running.value

    // Every job succeeded, each on its first and only attempt.
    let check = try await database.platformStatement("""
        SELECT count(*) FILTER (WHERE state = 'succeeded'), coalesce(sum(attempt), 0)::int8 FROM jobs WHERE id > \(before)
        """)
    let (succeeded, attempts) = try check[0].decode((Int64, Int64).self)
    guard succeeded == options.jobs, attempts == options.jobs, handled.value == options.jobs else {
        throw BenchError.wrongResult("\(options.jobs) jobs: \(succeeded) succeeded, \(attempts) attempts, \(handled.value) handler runs")
    }
    print("RESULT peer=ours mode=throughput jobs=\(options.jobs) seconds=\(format(elapsed, 3))"
          + " jobs_per_s=\(format(Double(options.jobs) / elapsed)) handlers_done_s=\(format(seconds(handlersDone - start), 3))"
          + " enqueue_per_s=\(format(Double(options.jobs) / enqueueSeconds))"
          + " cpu_s=\(format(cpu, 3)) cpu_us_per_job=\(format(cpu * 1e6 / Double(options.jobs))) \(options.settings)")
}
