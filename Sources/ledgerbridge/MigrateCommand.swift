import ArgumentParser
import Foundation
import Logging
import Storage

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations as the schema owner role."
    )

    @Option(name: .customLong("database-url"), help: "Connection URL of the owner role (env: MIGRATION_DATABASE_URL).")
    var databaseURL: String?

    @OptionGroup var migrations: MigrationsOptions

    func run() async throws {
        let url = try Environment.require(databaseURL, "MIGRATION_DATABASE_URL", option: "--database-url")
        let files = try migrations.load()
        do {
            let applied = try await Migrator(ownerURL: url).migrate(files)
            if applied.isEmpty {
                print("ledgerbridge migrate: schema is up to date (\(files.count) migrations)")
            } else {
                print("ledgerbridge migrate: applied \(applied.map(\.fileName).joined(separator: ", "))")
            }
        } catch let error as MigrationError {
            throw CommandFailure("ledgerbridge migrate: \(error)")
        }
    }
}

/// Where the migration files are: shared by the commands that need them.
struct MigrationsOptions: ParsableArguments {
    @Option(name: .customLong("migrations-dir"), help: "Directory of NNNN_name.sql files (env: LEDGERBRIDGE_MIGRATIONS_DIR; default: ./migrations).")
    var directory: String?

    func load() throws -> [MigrationFile] {
        let url: URL
        if let directory {
            url = URL(fileURLWithPath: directory)
        } else if let found = MigrationFile.defaultDirectory() {
            url = found
        } else {
            throw ValidationError("cannot find the migrations directory; pass --migrations-dir or set LEDGERBRIDGE_MIGRATIONS_DIR")
        }
        do {
            return try MigrationFile.load(from: url)
        } catch let error as MigrationError {
            throw ValidationError("\(error)")
        }
    }
}
