import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Postgres

/// The databases ops/test prepares, read from the environment it exports.
public enum TestDatabase {
    public struct MissingEnvironment: Error, CustomStringConvertible {
        public let variable: String
        public var description: String { "\(variable) is not set: run the tests through ops/test, which starts PostgreSQL and sets it" }
    }

    static func required(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { throw MissingEnvironment(variable: name) }
        return value
    }

    /// The migrated test database, as the server's role (ledgerbridge_app).
    public static func appURL() throws -> String { try required("DATABASE_URL") }

    /// The same database as the owner role.
    public static func ownerURL() throws -> String { try required("MIGRATION_DATABASE_URL") }

    /// A superuser URL: only with the private cluster ops/test starts.
    public static var adminURL: String? { ProcessInfo.processInfo.environment["LEDGERBRIDGE_TEST_ADMIN_URL"] }

    /// A shell command that restarts the PostgreSQL server: only with the private cluster.
    public static var restartCommand: String? { ProcessInfo.processInfo.environment["LEDGERBRIDGE_TEST_PG_RESTART"] }

    /// `url` with its database name replaced (URL form only).
    public static func url(_ url: String, database: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let query = afterScheme.firstIndex(of: "?").map { String(afterScheme[$0...]) } ?? ""
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
        return String(url[..<schemeEnd.upperBound]) + authority + "/" + database + query
    }

    public static func connect(_ url: String) async throws -> PostgresConnection {
        try await PostgresConnection.connect(PostgresConfiguration(url: url))
    }

    /// Runs `command` with /bin/sh, its input and output on /dev/null (nothing it starts, such
    /// as a restarted server, may hold the test runner's output open), and fails unless it
    /// exits 0. posix_spawn + waitpid on a thread of its own: Foundation's Process hung here
    /// waiting for a command whose grandchild (the server) lives on.
    public static func shell(_ command: String) async throws {
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                for fd: Int32 in 0...2 {
                    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
                }
                let words: [String] = ["/bin/sh", "-c", command]
                let arguments: [UnsafeMutablePointer<CChar>?] = words.map { word in strdup(word) } + [nil]
                defer { arguments.forEach { free($0) } }
                var pid: pid_t = 0
                guard posix_spawn(&pid, "/bin/sh", &actions, nil, arguments, environ) == 0 else {
                    continuation.resume(returning: -1)
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        guard status == 0 else {
            throw PostgresError(kind: .protocolViolation, message: "command failed with status \(status): \(command)")
        }
    }
}

/// An empty database owned by ledgerbridge_owner, dropped by `drop()`.
public struct ScratchDatabase: Sendable {
    public let name: String
    public let ownerURL: String
    public let appURL: String
    let adminURL: String

    /// nil when no superuser URL is available (an external database).
    public static func create() async throws -> ScratchDatabase? {
        guard let adminURL = TestDatabase.adminURL else { return nil }
        let name = "lb_scratch_" + UUID().uuidString.prefix(8).lowercased()
        let admin = try await TestDatabase.connect(adminURL)
        defer { admin.close() }
        // Identifiers cannot be parameters; the name is generated above.
        try await admin.executeScript("CREATE DATABASE \(name) OWNER ledgerbridge_owner")
        try await admin.executeScript("REVOKE ALL ON DATABASE \(name) FROM PUBLIC; GRANT CONNECT ON DATABASE \(name) TO ledgerbridge_app")
        return ScratchDatabase(
            name: name,
            ownerURL: TestDatabase.url(try TestDatabase.ownerURL(), database: name),
            appURL: TestDatabase.url(try TestDatabase.appURL(), database: name),
            adminURL: adminURL)
    }

    public func drop() async {
        guard let admin = try? await TestDatabase.connect(adminURL) else { return }
        defer { admin.close() }
        try? await admin.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}
