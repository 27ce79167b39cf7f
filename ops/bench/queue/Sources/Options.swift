import Foundation
import Scheduler

/// The command line of QueueBenchmark (see main.swift for the modes).
struct Options {
    var mode = ""
    /// throughput: jobs enqueued before the pool starts.
    var jobs = 50_000
    /// Jobs are spread round-robin over this many tenants (rows of `tenants`).
    var tenants = 10
    var workers = 100
    var claimBatch = 100
    var completionBatch = 500
    /// Connections of the pool the queue uses (claims, completions, heartbeat, maintenance, enqueues).
    var connections = 4
    /// latency: enqueues per second, one at a time, for `seconds`; the first `warmup` seconds are not counted.
    var rate = 200.0
    var seconds = 10.0
    var warmup = 1.0
    var appURL = ""
    var ownerURL = ""

    static let modes = ["migrate", "throughput", "latency"]

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        guard let mode = rest.popFirst(), modes.contains(mode) else { throw BenchError.usage("name a mode: \(modes.joined(separator: ", "))") }
        options.mode = mode
        func number<T: LosslessStringConvertible>(_ name: String) throws -> T {
            guard let text = rest.popFirst() else { throw BenchError.usage("\(name) needs a value") }
            guard let n = T(text) else { throw BenchError.usage("\(name): not a number: \(text)") }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--jobs": options.jobs = try number(argument)
            case "--tenants": options.tenants = try number(argument)
            case "--workers": options.workers = try number(argument)
            case "--claim-batch": options.claimBatch = try number(argument)
            case "--completion-batch": options.completionBatch = try number(argument)
            case "--connections": options.connections = try number(argument)
            case "--rate": options.rate = try number(argument)
            case "--seconds": options.seconds = try number(argument)
            case "--warmup": options.warmup = try number(argument)
            case "-h", "--help": throw BenchError.usage("")
            default: throw BenchError.usage("unknown argument \(argument)")
            }
        }
        guard options.jobs >= 1, options.tenants >= 1, options.workers >= 1, options.claimBatch >= 1, options.completionBatch >= 1,
              options.connections >= 2, options.rate > 0, options.seconds > 0, options.warmup >= 0, options.warmup < options.seconds else {
            throw BenchError.usage("counts must be >= 1 (connections >= 2), rate and seconds > 0, 0 <= warmup < seconds")
        }
        let environment = ProcessInfo.processInfo.environment
        options.appURL = environment["DATABASE_URL"] ?? ""
        options.ownerURL = environment["MIGRATION_DATABASE_URL"] ?? ""
        guard !(mode == "migrate" ? options.ownerURL : options.appURL).isEmpty else {
            throw BenchError.usage(mode == "migrate" ? "MIGRATION_DATABASE_URL (the owner role) is not set" : "DATABASE_URL (the ledgerbridge_app role) is not set")
        }
        return options
    }

    /// The pool's configuration: the defaults a server runs with, but for the three knobs under test.
    var poolConfiguration: WorkerPoolConfiguration {
        var configuration = WorkerPoolConfiguration()
        configuration.workers = workers
        configuration.claimBatch = claimBatch
        configuration.completionBatch = completionBatch
        return configuration
    }

    /// The settings, as printed on every result line.
    var settings: String {
        "workers=\(workers) claim_batch=\(claimBatch) completion_batch=\(completionBatch) connections=\(connections) tenants=\(tenants)"
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case wrongResult(String)

    var description: String {
        switch self {
        case .usage(let message):
            return (message.isEmpty ? "" : "error: \(message)\n") + """
                usage: QueueBenchmark migrate                      (MIGRATION_DATABASE_URL; migrations from LEDGERBRIDGE_MIGRATIONS_DIR or ./migrations)
                       QueueBenchmark throughput [--jobs J] [--tenants T] [--workers N] [--claim-batch B] [--completion-batch C] [--connections K]
                       QueueBenchmark latency [--rate R] [--seconds S] [--warmup W] [--tenants T] [--workers N] [--claim-batch B] [--completion-batch C] [--connections K]
                (DATABASE_URL: the app role's URL; the jobs table must hold no pending or running job)
                """
        case .wrongResult(let message):
            return "error: wrong result: \(message)"
        }
    }
}
