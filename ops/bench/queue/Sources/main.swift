// The job queue benchmark's Swift peer: our queue and worker pool (Sources/Scheduler)
// on the local PostgreSQL. ops/bench/queue/run runs it beside pgqueuer (pgqueuer_peer.py).
//
//   QueueBenchmark migrate
//   QueueBenchmark throughput [--jobs J] [--tenants T] [--workers N] [--claim-batch B] [--completion-batch C] [--connections K]
//   QueueBenchmark latency [--rate R] [--seconds S] [--warmup W] [...the same pool flags]
//
// throughput: J no-op jobs over T tenants are enqueued, then a WorkerPool of N workers
// runs them all; jobs/s is J over the time from the pool's start until every job is
// committed as succeeded. latency: jobs enqueued one at a time at R/s for S seconds
// into an idle pool; enqueue -> start p50/p99 (see Latency.swift). Each prints one line
// `RESULT peer=ours mode=... key=value ...` on standard output; logs go to standard error.
//
// Reads DATABASE_URL (the app role) and, for migrate, MIGRATION_DATABASE_URL (the owner).
// A benchmark, not a test: it fails only when something does not work (a job lost, run
// twice, or not succeeded), never on the figures.

import Foundation
import Logging

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let logger = Logger(label: "bench.queue")

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    switch options.mode {
    case "migrate": try await BenchDatabase.migrate(ownerURL: options.ownerURL)
    case "throughput": try await runThroughput(options, logger: logger)
    default: try await runLatency(options, logger: logger)
    }
} catch let error as BenchError {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
