import Foundation
import Postgres
import TestSupport
import XCTest

final class ConnectionPoolTests: XCTestCase {
    func makePool(_ size: Int, checkoutTimeout: Double = 10, configure: (inout PoolConfiguration) -> Void = { _ in }) throws -> ConnectionPool {
        var pool = PoolConfiguration(maxConnections: size, checkoutTimeout: checkoutTimeout)
        configure(&pool)
        return ConnectionPool(configuration: PostgresConfiguration(url: try TestDatabase.appURL()), pool: pool)
    }

    func backendPID(_ pool: ConnectionPool) async throws -> Int32 {
        try await pool.withConnection { $0.backendPID }
    }

    func testExhaustionTimesOutThenRecovers() async throws {
        let pool = try makePool(2, checkoutTimeout: 0.5)
        defer { pool.close() }
        let release = Gate(parties: 3)
        // Two holders keep both sessions busy.
        let holders = (0..<2).map { _ in
            Task {
                try await pool.withConnection { connection in
                    try await connection.query("SELECT 1")
                    await release.arrive()
                }
            }
        }
        while pool.statistics.open < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        do {
            try await pool.withConnection { _ in XCTFail("got a third connection from a pool of two") }
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .poolTimeout)
        }
        let waited = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(450))
        XCTAssertLessThan(waited, .seconds(3))
        XCTAssertEqual(pool.statistics.waiting, 0)
        await release.arrive()
        for holder in holders { try await holder.value }
        // Once released, the same two sessions serve again.
        let rows = try await pool.withConnection { try await $0.query("SELECT 1") }
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(pool.statistics.open, 2)
    }

    func testWaiterGetsTheReleasedConnection() async throws {
        let pool = try makePool(1, checkoutTimeout: 10)
        defer { pool.close() }
        let firstPID = try await backendPID(pool)
        async let held: Void = pool.withConnection { _ in try await Task.sleep(for: .milliseconds(300)) }
        try await Task.sleep(for: .milliseconds(50))
        let secondPID = try await backendPID(pool)  // waits for the holder, then reuses its session
        try await held
        XCTAssertEqual(firstPID, secondPID)
    }

    func testManyConcurrentCallersShareFewConnections() async throws {
        let pool = try makePool(3)
        defer { pool.close() }
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask { try await pool.withConnection { try await $0.query("SELECT \(index)::int8")[0].decode(Int.self, at: 0) } }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(total, (0..<200).reduce(0, +))
        XCTAssertLessThanOrEqual(pool.statistics.open, 3)
    }

    func testCancellingAWaitingQuery() async throws {
        let pool = try makePool(1)
        defer { pool.close() }
        let firstPID = try await backendPID(pool)
        let task = Task { try await pool.withConnection { try await $0.query("SELECT pg_sleep(30)") } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("the query was not cancelled")
        } catch is CancellationError {}
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "the server stopped the statement")
        // The session that was sent a cancel is not reused (a late cancel could hit the next query).
        let rows = try await pool.withConnection { try await $0.query("SELECT 2") }
        XCTAssertEqual(try rows[0].decode(Int.self, at: 0), 2)
        let nextPID = try await backendPID(pool)
        XCTAssertNotEqual(nextPID, firstPID)
    }

    func testCancellingACallerThatWaitsForAConnection() async throws {
        let pool = try makePool(1, checkoutTimeout: 30)
        defer { pool.close() }
        let holder = Task { try await pool.withConnection { _ in try await Task.sleep(for: .milliseconds(800)) } }
        try await Task.sleep(for: .milliseconds(100))
        let waiter = Task { try await pool.withConnection { _ in "got it" } }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(pool.statistics.waiting, 1)
        waiter.cancel()
        do {
            _ = try await waiter.value
            XCTFail("cancelled waiter got a connection")
        } catch is CancellationError {}
        XCTAssertEqual(pool.statistics.waiting, 0)
        try await holder.value
        XCTAssertEqual(pool.statistics.open, 1, "the holder's session went back to the pool")
    }

    func testMidTransactionConnectionIsNotHandedOn() async throws {
        let pool = try makePool(1)
        defer { pool.close() }
        let firstPID = try await pool.withConnection { connection in
            try await connection.query("BEGIN")
            try await connection.query("CREATE TEMP TABLE leaked (x int)")
            return connection.backendPID  // returned with the transaction still open
        }
        let next = try await pool.withConnection { connection in
            (connection.backendPID, connection.transactionState)
        }
        XCTAssertNotEqual(next.0, firstPID)
        XCTAssertEqual(next.1, .idle)
    }

    func testBrokenConnectionIsDiscarded() async throws {
        let pool = try makePool(2)
        defer { pool.close() }
        let victim = try await backendPID(pool)
        // Another session kills the idle one's backend, as an admin or a restart would.
        let killer = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { killer.close() }
        try await killer.query("SELECT pg_terminate_backend(\(victim))")
        try await Task.sleep(for: .milliseconds(100))
        for _ in 0..<4 {
            let rows = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()") }
            XCTAssertNotEqual(try rows[0].decode(Int.self, at: 0), Int(victim))
        }
    }

    func testMaxLifetimeRetiresOldSessions() async throws {
        let pool = try makePool(1) { $0.maxLifetime = 0.2 }
        defer { pool.close() }
        let first = try await backendPID(pool)
        try await Task.sleep(for: .milliseconds(400))
        let second = try await backendPID(pool)
        XCTAssertNotEqual(first, second)
    }

    func testServerRestartFailsCleanlyThenRecovers() async throws {
        guard let restart = TestDatabase.restartCommand else {
            throw XCTSkip("LEDGERBRIDGE_TEST_PG_RESTART is only set with the private cluster of ops/test")
        }
        let pool = try makePool(3)
        defer { pool.close() }
        // Warm the pool: three sessions open and idle.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await pool.withConnection { _ = try await $0.query("SELECT pg_sleep(0.05)") } } }
            try await group.waitForAll()
        }
        // A query in flight while the server goes down.
        let inFlight = Task { try await pool.withConnection { try await $0.query("SELECT pg_sleep(20)") } }
        try await Task.sleep(for: .milliseconds(200))
        try await TestDatabase.shell(restart)
        do {
            _ = try await inFlight.value
            XCTFail("a query survived a server restart")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isConnectionFailure, "\(error)")
        }
        // Without restarting anything here, the pool serves again.
        let deadline = ContinuousClock.now + .seconds(30)
        var recovered = false
        var failures = 0
        while ContinuousClock.now < deadline {
            do {
                let rows = try await pool.withConnection { try await $0.query("SELECT 40 + 2") }
                XCTAssertEqual(try rows[0].decode(Int.self, at: 0), 42)
                recovered = true
                break
            } catch let error as PostgresError {
                XCTAssertTrue(error.isConnectionFailure, "only connection errors while the server is back up: \(error)")
                failures += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertTrue(recovered, "the pool never recovered")
        // And stays healthy: every session it now hands out works.
        for _ in 0..<6 {
            _ = try await pool.withConnection { try await $0.query("SELECT 1") }
        }
    }
}
