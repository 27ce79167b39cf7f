// The database benchmark's Swift peer: point reads through the Storage layer.
//
//   DatabaseBenchmark layer [--table bench_items|bench_items_plain|alternate] [--slice S]
//                           [--connections N] [--seconds D] [--warmup W] [--tenants T] [--rows R]
//   DatabaseBenchmark check [--tenants T] [--rows R]
//
// `layer`: N tasks share one `Database` whose pool holds N connections; each task
// loops `withTenant(tenant) { SELECT id, name, amount FROM <table> WHERE tenant_id
// = $1 AND id = $2 }` on random keys among the seeded rows (setup.sql), decodes the
// row and checks it. One "query" is one such transaction (BEGIN + set_config in one
// pipelined round trip, the SELECT, COMMIT). W seconds of warm-up (connections
// opened, caches warm) are not counted; then D seconds are, and the result is one
// line: `RESULT peer=layer table=... connections=N seconds=D queries=Q qps=... cpu_us_per_query=C cpu_s=S`
// (S: the process's user+system CPU seconds; C: S over every query it ran, warm-up included).
//
// `--table alternate`: the RLS comparison as an A/B test inside one run. All tasks switch
// between bench_items and bench_items_plain every S seconds (default 0.5), so both tables
// see the same machine (this one's speed drifts by more than the effect measured); each
// query counts for the table of the slice it started in. The line then also has
// `qps_rls=... qps_plain=... rls_ratio=...`.
//
// `check`: proves the setup is what the comparison assumes (RLS binds the app role
// on bench_items and not on bench_items_plain, both read by primary key) and prints
// the plans. Run once by ops/bench/db/run before the rounds.
//
// Reads DATABASE_URL (the app role, ledgerbridge_app). ops/bench/db/run sets it.

import Foundation
import Postgres
import Storage

enum Table: String {
    case rls = "bench_items"
    case plain = "bench_items_plain"

    /// The point read, written as application code writes it: values interpolated
    /// become $n parameters (uuid and int8), never SQL text.
    func pointRead(tenant: UUID, id: Int64) -> PostgresQuery {
        switch self {
        case .rls: "SELECT id, name, amount FROM bench_items WHERE tenant_id = \(tenant) AND id = \(id)"
        case .plain: "SELECT id, name, amount FROM bench_items_plain WHERE tenant_id = \(tenant) AND id = \(id)"
        }
    }
}

struct Options {
    var mode = "layer"
    var table = Table.rls
    /// `--table alternate`: switch tables every `slice` seconds.
    var alternate = false
    var slice = 0.5
    var connections = 4
    var seconds = 10.0
    var warmup = 1.0
    var tenants = 10
    var rows = 10_000
    var url = ""

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            options.mode = first
            rest = rest.dropFirst()
        }
        func value(_ name: String) throws -> String {
            guard let v = rest.popFirst() else { throw BenchError.usage("\(name) needs a value") }
            return v
        }
        func number<T: LosslessStringConvertible>(_ name: String) throws -> T {
            let text = try value(name)
            guard let n = T(text) else { throw BenchError.usage("\(name): not a number: \(text)") }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--table":
                let name = try value(argument)
                if name == "alternate" {
                    options.alternate = true
                } else {
                    guard let table = Table(rawValue: name) else { throw BenchError.usage("unknown table \(name)") }
                    options.table = table
                }
            case "--slice": options.slice = try number(argument)
            case "--connections": options.connections = try number(argument)
            case "--seconds": options.seconds = try number(argument)
            case "--warmup": options.warmup = try number(argument)
            case "--tenants": options.tenants = try number(argument)
            case "--rows": options.rows = try number(argument)
            case "-h", "--help": throw BenchError.usage("")
            default: throw BenchError.usage("unknown argument \(argument)")
            }
        }
        guard ["layer", "check"].contains(options.mode) else { throw BenchError.usage("unknown mode \(options.mode)") }
        guard options.connections >= 1, options.seconds > 0, options.warmup >= 0, options.tenants >= 1, options.rows >= 1,
              options.slice > 0 else {
            throw BenchError.usage("connections, tenants and rows must be >= 1, seconds and slice > 0, warmup >= 0")
        }
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw BenchError.usage("DATABASE_URL (the ledgerbridge_app role) is not set")
        }
        options.url = url
        return options
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case wrongResult(String)

    var description: String {
        switch self {
        case .usage(let message):
            return (message.isEmpty ? "" : "error: \(message)\n") + """
                usage: DatabaseBenchmark layer [--table bench_items|bench_items_plain|alternate] [--slice S] [--connections N] [--seconds D] [--warmup W] [--tenants T] [--rows R]
                       DatabaseBenchmark check [--tenants T] [--rows R]
                (DATABASE_URL: the app role's URL)
                """
        case .wrongResult(let message):
            return "error: wrong result: \(message)"
        }
    }
}

/// Tenant t (1-based) of setup.sql.
func tenantUUID(_ t: Int) -> UUID {
    UUID(uuidString: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - String(t).count) + String(t))!
}

/// splitmix64: a cheap per-task generator (no lock, no syscall), same as raw_libpq.c's.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// User + system CPU time of this process so far (all threads), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// One point read through the layer, checked: exactly the seeded row comes back.
func pointRead(_ db: Database, table: Table, tenant: UUID, tenantIndex: Int, id: Int64) async throws {
    let (gotID, name, amount) = try await db.withTenant(tenant) { tx in
        let rows = try await tx.query(table.pointRead(tenant: tenant, id: id))
        guard rows.count == 1 else { throw BenchError.wrongResult("\(rows.count) rows for tenant \(tenantIndex) id \(id) in \(table.rawValue)") }
        return try rows[0].decode((Int64, String, Decimal).self)
    }
    guard gotID == id, name.utf8.count > 5, amount >= 0 else {
        throw BenchError.wrongResult("row \(gotID) \(name) \(amount) for tenant \(tenantIndex) id \(id)")
    }
}

func runLayer(_ options: Options) async throws {
    let db = Database(url: options.url, pool: PoolConfiguration(maxConnections: options.connections, checkoutTimeout: 10))
    defer { db.close() }
    let tenants = (1...options.tenants).map(tenantUUID)
    let start = ContinuousClock.now
    let measureFrom = start + .milliseconds(Int64(options.warmup * 1000))
    let measureUntil = measureFrom + .milliseconds(Int64(options.seconds * 1000))
    let fixedTable = options.table
    let alternate = options.alternate
    let slice = options.slice
    let rows = UInt64(options.rows)

    /// Per task: queries counted on each table, and all queries run (warm-up included).
    struct Counts: Sendable { var rls = 0, plain = 0, all = 0 }
    let counts = try await withThrowingTaskGroup(of: Counts.self) { group in
        for worker in 0..<options.connections {
            group.addTask {
                var rng = SplitMix64(state: UInt64(worker + 1) &* 0x1234_5678_9ABC_DEF1)
                var counts = Counts()
                while true {
                    let now = ContinuousClock.now
                    if now >= measureUntil { break }
                    var table = fixedTable
                    if alternate {
                        // Slices are counted from the start of the measured span (negative during warm-up).
                        let elapsed = (now - measureFrom) / .milliseconds(1) / 1000
                        table = Int((elapsed / slice).rounded(.down)) & 1 == 0 ? .rls : .plain
                    }
                    let random = rng.next()
                    let tenantIndex = Int(random % UInt64(tenants.count))
                    let id = Int64((random >> 16) % rows) + 1
                    try await pointRead(db, table: table, tenant: tenants[tenantIndex], tenantIndex: tenantIndex + 1, id: id)
                    counts.all += 1
                    if now >= measureFrom {
                        if table == .rls { counts.rls += 1 } else { counts.plain += 1 }
                    }
                }
                return counts
            }
        }
        return try await group.reduce(into: Counts()) { total, one in
            total.rls += one.rls; total.plain += one.plain; total.all += one.all
        }
    }
    let cpu = processCPUSeconds()
    let total = counts.rls + counts.plain
    var line = "RESULT peer=layer\(alternate ? "-ab" : "") table=\(alternate ? "alternate" : fixedTable.rawValue)"
        + " connections=\(options.connections) seconds=\(options.seconds) queries=\(total)"
        + " qps=\(format(Double(total) / options.seconds))"
        + " cpu_us_per_query=\(format(cpu * 1e6 / Double(max(counts.all, 1)))) cpu_s=\(String(format: "%.3f", cpu))"
    if alternate {
        let (rlsSeconds, plainSeconds) = sliceSeconds(total: options.seconds, slice: slice)
        let qpsRLS = Double(counts.rls) / rlsSeconds, qpsPlain = Double(counts.plain) / plainSeconds
        line += " qps_rls=\(format(qpsRLS)) qps_plain=\(format(qpsPlain)) rls_ratio=\(String(format: "%.4f", qpsRLS / qpsPlain))"
    }
    print(line)
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

/// Seconds of the measured span spent on even (RLS) and odd (plain) slices.
func sliceSeconds(total: Double, slice: Double) -> (Double, Double) {
    var even = 0.0, odd = 0.0, k = 0
    while Double(k) * slice < total {
        let length = min(slice, total - Double(k) * slice)
        if k & 1 == 0 { even += length } else { odd += length }
        k += 1
    }
    return (even, max(odd, 1e-9))
}

/// Checks the premises of the comparison, as the app role.
func runCheck(_ options: Options) async throws {
    let db = Database(url: options.url, pool: PoolConfiguration(maxConnections: 1, checkoutTimeout: 10))
    defer { db.close() }
    let t1 = tenantUUID(1), t2 = tenantUUID(min(2, options.tenants))

    func expect(_ what: String, _ got: Int64, _ want: Int64) throws {
        guard got == want else { throw BenchError.wrongResult("\(what): \(got), expected \(want)") }
        print("CHECK \(what): \(got)")
    }
    // RLS: without a tenant the app role sees nothing of bench_items, everything of the plain copy.
    try expect("bench_items rows visible without a tenant",
               try await db.withPlatform { try await $0.query("SELECT count(*) FROM bench_items")[0].decode(Int64.self, at: 0) }, 0)
    try expect("bench_items_plain rows visible without a tenant",
               try await db.withPlatform { try await $0.query("SELECT count(*) FROM bench_items_plain")[0].decode(Int64.self, at: 0) },
               Int64(options.tenants * options.rows))
    try expect("bench_items rows visible to tenant 1",
               try await db.withTenant(t1) { try await $0.query("SELECT count(*) FROM bench_items")[0].decode(Int64.self, at: 0) },
               Int64(options.rows))
    if t2 != t1 {
        try expect("tenant 2's row read by primary key as tenant 1 (bench_items)",
                   try await db.withTenant(t1) { Int64(try await $0.query(Table.rls.pointRead(tenant: t2, id: 1)).count) }, 0)
    }
    try await pointRead(db, table: .rls, tenant: t1, tenantIndex: 1, id: Int64(options.rows))
    try await pointRead(db, table: .plain, tenant: t1, tenantIndex: 1, id: Int64(options.rows))
    print("CHECK point reads of both tables return the seeded row")

    for table in [Table.rls, Table.plain] {
        let read = table.pointRead(tenant: t1, id: 42)
        let plan = try await db.withTenant(t1) { tx in
            try await tx.query(PostgresQuery(sql: "EXPLAIN (COSTS OFF) " + read.sql, binds: read.binds)).map { try $0.decode(String.self, at: 0) }
        }
        print("PLAN \(table.rawValue):")
        plan.forEach { print("PLAN   \($0)") }
    }
}

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    switch options.mode {
    case "check": try await runCheck(options)
    default: try await runLayer(options)
    }
} catch let error as BenchError {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
