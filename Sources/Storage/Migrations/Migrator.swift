import Logging
import Postgres

/// Applies `migrations/` as the schema owner, each file once, in order.
///
/// Every run holds a session-level advisory lock for its whole duration, so
/// processes that start together queue up: the first applies what is pending,
/// the others then find nothing left to do. Each file runs in its own
/// transaction together with the row that records it, so a file is either
/// applied and recorded, or neither.
public struct Migrator: Sendable {
    /// Arbitrary but fixed: the advisory lock key every ledgerbridge process agrees on.
    static let advisoryLockKey: Int64 = 0x4C42_4D49_4752_0001

    public let configuration: PostgresConfiguration
    let logger: Logger

    public init(ownerURL: String, logger: Logger = Logger(label: "ledgerbridge.migrate")) {
        self.configuration = PostgresConfiguration(url: ownerURL, applicationName: "ledgerbridge-migrate")
        self.logger = logger
    }

    /// Applies what is pending and returns the files it applied (empty when up to date).
    @discardableResult
    public func migrate(_ files: [MigrationFile]) async throws -> [MigrationFile] {
        let connection = try await PostgresConnection.connect(configuration)
        defer { connection.close() }
        try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        do {
            let applied = try await apply(files, on: connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
            return applied
        } catch {
            // Closing the session releases the lock too; unlock early when we still can.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
            throw error
        }
    }

    private func apply(_ files: [MigrationFile], on connection: PostgresConnection) async throws -> [MigrationFile] {
        try await connection.executeScript(SchemaLedger.createTableSQL)
        let recorded = try await SchemaLedger.appliedMigrations(on: connection)
        let pending = try SchemaLedger.pendingFiles(known: files, applied: recorded)
        for file in pending {
            logger.info("applying migration", metadata: ["file": "\(file.fileName)"])
            do {
                try await connection.transaction { connection in
                    try await connection.executeScript(file.sql)
                    try await connection.query("""
                        INSERT INTO schema_migrations (version, file_name, checksum) \
                        VALUES (\(file.version), \(file.fileName), \(file.checksum))
                        """)
                }
            } catch let error as PostgresError {
                throw MigrationError.failed(fileName: file.fileName, message: error.description)
            }
        }
        return pending
    }
}

/// The `schema_migrations` table: which files are applied, with their checksums.
enum SchemaLedger {
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            file_name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE schema_migrations IS 'platform table: which migrations are applied';
        """

    struct Applied: Sendable {
        var version: Int
        var fileName: String
        var checksum: String
    }

    static func appliedMigrations(on connection: PostgresConnection) async throws -> [Applied] {
        try await connection.query("SELECT version, file_name, checksum FROM schema_migrations ORDER BY version").map { row in
            let (version, fileName, checksum) = try row.decode((Int, String, String).self)
            return Applied(version: version, fileName: fileName, checksum: checksum)
        }
    }

    /// The files still to apply, after checking that what was applied is what the files say.
    static func pendingFiles(known: [MigrationFile], applied: [Applied]) throws -> [MigrationFile] {
        let byVersion = Dictionary(uniqueKeysWithValues: known.map { ($0.version, $0) })
        let unknown = applied.filter { byVersion[$0.version] == nil }.map(\.version)
        if !unknown.isEmpty {
            throw MigrationError.unknownApplied(versions: unknown, newestKnown: known.last?.version ?? 0)
        }
        for record in applied {
            let file = byVersion[record.version]!
            if file.checksum != record.checksum {
                throw MigrationError.modifiedAfterApply(fileName: file.fileName, recorded: record.checksum, current: file.checksum)
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        return known.filter { !appliedVersions.contains($0.version) }
    }
}

extension Database {
    /// Refuses a schema that is not exactly what `files` describe: unmigrated,
    /// partly migrated, newer than this binary, or with an applied file edited since.
    public func verifySchema(matches files: [MigrationFile]) async throws {
        let applied: [SchemaLedger.Applied]
        do {
            applied = try await pool.withConnection { try await SchemaLedger.appliedMigrations(on: $0) }
        } catch let error as PostgresError where error.isUndefinedTable {
            throw MigrationError.pending(files.map(\.fileName))
        }
        let pending = try SchemaLedger.pendingFiles(known: files, applied: applied)
        if !pending.isEmpty { throw MigrationError.pending(pending.map(\.fileName)) }
    }
}
