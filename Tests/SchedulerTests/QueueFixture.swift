import Foundation
import Postgres
import Scheduler
import Storage
import TestSupport

/// A migrated scratch database of its own per test: the queue is global
/// across tenants, so tests sharing one would claim each other's jobs.
struct QueueFixture {
    let scratch: ScratchDatabase
    let database: Database
    let queue: JobQueue

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "needs LEDGERBRIDGE_TEST_ADMIN_URL (the private cluster of ops/test) for scratch databases" }
    }

    static func make() async throws -> QueueFixture {
        guard let scratch = try await ScratchDatabase.create() else { throw Unavailable() }
        guard let directory = MigrationFile.defaultDirectory() else { throw Unavailable() }
        try await Migrator(ownerURL: scratch.ownerURL).migrate(try MigrationFile.load(from: directory))
        let database = Database(url: scratch.appURL, pool: PoolConfiguration(maxConnections: 8))
        return QueueFixture(scratch: scratch, database: database, queue: JobQueue(database: database))
    }

    func close() async {
        database.close()
        await scratch.drop()
    }

    /// New tenants (platform rows only), in id order.
    func tenants(_ count: Int) async throws -> [UUID] {
        let ids = (0..<count).map { _ in UUID() }.sorted { $0.uuidString < $1.uuidString }
        try await database.withPlatform { tx in
            try await tx.query("""
                INSERT INTO tenants (id, slug, name) SELECT t, 't-' || left(t::text, 8) || '-' || n, 'Tenant ' || n
                FROM unnest(\(ids)::uuid[]) WITH ORDINALITY AS u (t, n)
                """)
        }
        return ids
    }

    func state(of job: Int64) async throws -> JobState? {
        try await queue.job(job)?.state
    }

    /// Runs `body` with a fixture and always drops its database.
    static func with(_ body: (QueueFixture) async throws -> Void) async throws {
        let fixture = try await make()
        do {
            try await body(fixture)
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }
}
