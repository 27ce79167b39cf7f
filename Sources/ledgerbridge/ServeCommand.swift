import ArgumentParser
import Foundation
import Logging
import Postgres
import Storage

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the LedgerBridge server."
    )

    @Option(name: .customLong("database-url"), help: "Connection URL of the server's role, ledgerbridge_app (env: DATABASE_URL).")
    var databaseURL: String?

    @OptionGroup var migrations: MigrationsOptions

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "ledgerbridge.serve")
        let url = try Environment.require(databaseURL, "DATABASE_URL", option: "--database-url")
        let files = try migrations.load()
        let database = Database(url: url)
        defer { database.close() }
        do {
            try await database.verifySchema(matches: files)
        } catch let error as MigrationError {
            throw CommandFailure("ledgerbridge serve: refusing to start: \(error)")
        } catch let error as PostgresError {
            throw CommandFailure("ledgerbridge serve: cannot reach the database (\(PostgresConfiguration(url: url).safeDescription)): \(error)")
        }
        // The HTTP/2 listeners arrive with the server issue; until then serve holds the
        // database ready and waits for a signal.
        announce("ledgerbridge serve: ready (database schema at migration \(files.last?.version ?? 0)); waiting for SIGINT/SIGTERM")
        logger.info("ready")
        let signal = await ShutdownSignal.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal)"])
    }
}
