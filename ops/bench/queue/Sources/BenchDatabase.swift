import Foundation
import Postgres
import Scheduler
import Storage

/// What both modes need of the database before they measure anything.
enum BenchDatabase {
    /// The job kind of the benchmark: a body that does nothing and succeeds.
    static let kind = "bench.noop"

    /// Migrates the bench database as the owner role (what `ledgerbridge migrate` does).
    static func migrate(ownerURL: String) async throws {
        guard let directory = MigrationFile.defaultDirectory() else {
            throw BenchError.usage("no migrations directory (set LEDGERBRIDGE_MIGRATIONS_DIR or run from the repository root)")
        }
        let applied = try await Migrator(ownerURL: ownerURL).migrate(try MigrationFile.load(from: directory))
        print("MIGRATED \(applied.count) new migration(s) from \(directory.path)")
    }

    /// Tenant t (1-based): fixed ids, so every run and round uses the same rows.
    static func tenantID(_ t: Int) -> UUID {
        UUID(uuidString: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - String(t).count) + String(t))!
    }

    /// The first `count` bench tenants, inserted if missing (platform rows only:
    /// jobs reference `tenants`).
    static func tenants(_ count: Int, in database: Database) async throws -> [UUID] {
        let ids = (1...count).map(tenantID)
        _ = try await database.withPlatform { tx in
            try await tx.query("""
                INSERT INTO tenants (id, slug, name) SELECT t, 'bench-' || n, 'Bench tenant ' || n
                FROM unnest(\(ids)::uuid[]) WITH ORDINALITY AS u (t, n) ON CONFLICT DO NOTHING
                """)
        }
        return ids
    }

    /// A round starts on an empty queue (ops/bench/queue/run truncates between
    /// rounds): a leftover job would be claimed and counted, or make the pool wait.
    static func requireIdleQueue(_ database: Database) async throws {
        let rows = try await database.platformStatement("SELECT count(*) FROM jobs WHERE state NOT IN ('succeeded', 'discarded', 'cancelled')")
        let pending = try rows[0].decode(Int64.self, at: 0)
        guard pending == 0 else { throw BenchError.usage("the jobs table holds \(pending) unfinished job(s): truncate it first") }
    }

    /// The newest job's id (0 if none): a run checks only the jobs after it.
    static func lastJobID(_ database: Database) async throws -> Int64 {
        try await database.platformStatement("SELECT coalesce(max(id), 0)::int8 FROM jobs")[0].decode(Int64.self, at: 0)
    }

    /// Whether any job is still waiting or running. Two probes, so each can use
    /// its partial index (an IN over both states could use neither).
    static func unfinished(_ database: Database) async throws -> Bool {
        let rows = try await database.platformStatement("""
            SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'available') OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running')
            """)
        return try rows[0].decode(Bool.self, at: 0)
    }
}
