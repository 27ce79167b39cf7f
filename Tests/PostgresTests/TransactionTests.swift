import Foundation
import Postgres
import TestSupport
import XCTest

final class TransactionTests: XCTestCase {
    var pool: ConnectionPool!

    override func setUp() async throws {
        pool = ConnectionPool(configuration: PostgresConfiguration(url: try TestDatabase.appURL()), pool: PoolConfiguration(maxConnections: 4))
    }

    override func tearDown() async throws {
        pool?.close()
    }

    /// A table private to one test, in a schema the app role can use: temp tables are per session.
    func withScratchTable(_ body: (String) async throws -> Void) async throws {
        let owner = try await TestDatabase.connect(try TestDatabase.ownerURL())
        defer { owner.close() }
        let table = "tx_test_" + UUID().uuidString.prefix(8).lowercased()
        try await owner.executeScript("CREATE TABLE \(table) (id int PRIMARY KEY, v text); GRANT SELECT, INSERT, UPDATE, DELETE ON \(table) TO ledgerbridge_app")
        do {
            try await body(table)
        } catch {
            try await owner.executeScript("DROP TABLE \(table)")
            throw error
        }
        try await owner.executeScript("DROP TABLE \(table)")
    }

    func count(_ table: String) async throws -> Int {
        try await pool.withConnection { try await $0.query(PostgresQuery(sql: "SELECT count(*) FROM \(table)", binds: []))[0].decode(Int.self, at: 0) }
    }

    func testCommitAndRollbackOnThrow() async throws {
        struct Boom: Error {}
        try await withScratchTable { table in
            try await pool.transaction { tx in
                try await tx.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "kept"]))
            }
            let afterCommit = try await count(table)
            XCTAssertEqual(afterCommit, 1)
            do {
                try await pool.transaction { tx in
                    try await tx.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [2, "lost"]))
                    throw Boom()
                }
                XCTFail("expected the error to propagate")
            } catch is Boom {}
            let rows = try await count(table)
            XCTAssertEqual(rows, 1)
        }
    }

    func testRollbackOnCancellation() async throws {
        try await withScratchTable { table in
            let pool = self.pool!
            let task = Task {
                try await pool.transaction { tx in
                    try await tx.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "cancelled"]))
                    try await tx.query("SELECT pg_sleep(30)")
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let start = ContinuousClock.now
            do {
                try await task.value
                XCTFail("expected cancellation")
            } catch is CancellationError {}
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
            let rows = try await count(table)
            XCTAssertEqual(rows, 0)
        }
    }

    func testSwallowedErrorMakesCommitFail() async throws {
        try await withScratchTable { table in
            do {
                try await pool.transaction { tx in
                    try await tx.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "a"]))
                    _ = try? await tx.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "duplicate"]))
                }
                XCTFail("commit of an aborted transaction must not look like success")
            } catch let error as PostgresError {
                XCTAssertEqual(error.sqlState, "25P02")
            }
            let rows = try await count(table)
            XCTAssertEqual(rows, 0)
        }
    }

    func testPreludeRidesWithTheFirstStatement() async throws {
        let setting = try await pool.transaction(prelude: ["SELECT set_config('app.test', \("v1"), true)"]) { tx in
            try await tx.query("SELECT current_setting('app.test'), current_setting('transaction_isolation')")[0].decode((String, String).self)
        }
        XCTAssertEqual(setting.0, "v1")
        XCTAssertEqual(setting.1, "read committed")
        // A body that runs nothing opens nothing, and leaves the session clean.
        try await pool.transaction { _ in }
        do {
            try await pool.transaction(prelude: ["SELECT 1 / 0"]) { tx in try await tx.query("SELECT 1") }
            XCTFail("a failing prelude went unnoticed")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "22012")
        }
        let after = try await pool.withConnection { connection in
            (connection.transactionState, try await connection.query("SELECT current_setting('app.test', true)")[0].decode(String?.self, at: 0))
        }
        XCTAssertEqual(after.0, .idle)
        XCTAssertTrue(after.1 == nil || after.1 == "", "the transaction-local setting ended with its transaction")
    }

    func testIsolationLevelAndReadOnly() async throws {
        let level = try await pool.transaction(isolation: .serializable, readOnly: true) { tx in
            try await tx.query("SHOW transaction_isolation")[0].decode(String.self, at: 0)
        }
        XCTAssertEqual(level, "serializable")
        do {
            try await pool.transaction(readOnly: true) { tx in
                try await tx.query("CREATE TEMP TABLE nope (x int)")
            }
            XCTFail("read-only transaction wrote")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "25006")
        }
    }

    func testSerializationFailuresAreRetried() async throws {
        try await withScratchTable { table in
            try await pool.withConnection { try await $0.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "0"])) }
            let attempts = Counter()
            // Two serializable read-modify-write transactions on the same row, forced to
            // overlap: one of them must fail with 40001 and succeed when run again.
            let gate = Gate(parties: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { [pool] in
                        try await pool!.transaction(isolation: .serializable, maxAttempts: 5) { tx in
                            let attempt = attempts.increment()
                            let current = try await tx.query(PostgresQuery(sql: "SELECT v FROM \(table) WHERE id = 1", binds: []))[0].decode(String.self, at: 0)
                            if attempt <= 2 { await gate.arrive() }
                            try await tx.query(PostgresQuery("UPDATE \(table) SET v = $1 WHERE id = 1", [String(Int(current)! + 1)]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await pool.withConnection { try await $0.query(PostgresQuery(sql: "SELECT v FROM \(table) WHERE id = 1", binds: []))[0].decode(String.self, at: 0) }
            XCTAssertEqual(final, "2", "both increments applied, none lost")
            XCTAssertGreaterThanOrEqual(attempts.value, 3, "one transaction was retried")
        }
    }

    func testSerializationFailureSurfacesWithoutRetries() async throws {
        try await withScratchTable { table in
            try await pool.withConnection { try await $0.query(PostgresQuery("INSERT INTO \(table) VALUES ($1, $2)", [1, "0"])) }
            let gate = Gate(parties: 2)
            let failures = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { [pool] in
                        do {
                            try await pool!.transaction(isolation: .serializable, maxAttempts: 1) { tx in
                                _ = try await tx.query(PostgresQuery(sql: "SELECT v FROM \(table) WHERE id = 1", binds: []))
                                await gate.arrive()
                                try await tx.query(PostgresQuery(sql: "UPDATE \(table) SET v = v || 'x' WHERE id = 1", binds: []))
                            }
                        } catch let error as PostgresError where error.isSerializationFailure {
                            _ = failures.increment()
                        }
                    }
                }
                try await group.waitForAll()
            }
            XCTAssertEqual(failures.value, 1)
        }
    }
}

/// A thread-safe counter for test bookkeeping.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}

/// Lets `parties` tasks wait for each other.
actor Gate {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arrive() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
