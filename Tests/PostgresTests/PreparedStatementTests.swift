import Postgres
import TestSupport
import XCTest

final class PreparedStatementTests: XCTestCase {
    /// Prepared once per session, run by name after, with each run's own values.
    func testAPreparedStatementRunsWithEachCallsValues() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { connection.close() }
        for n in [3, 7, 11] {
            var query: PostgresQuery = "SELECT \(n)::int8 * 2, \("x" + String(n))::text"
            query.prepared = true
            let row = try await connection.query(query)[0]
            XCTAssertEqual(try row.decode(Int.self, at: 0), n * 2)
            XCTAssertEqual(try row.decode(String.self, at: 1), "x\(n)")
        }
        let prepared = try await connection.query("SELECT count(*)::int8 FROM pg_prepared_statements")
        XCTAssertEqual(try prepared[0].decode(Int.self, at: 0), 1)
    }

    /// A statement that does not prepare fails its call and leaves the session usable.
    func testAFailedPrepareThrowsAndTheSessionGoesOn() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { connection.close() }
        var broken: PostgresQuery = "SELECT no_such_column FROM pg_class WHERE oid = \(Int64(1))"
        broken.prepared = true
        do {
            try await connection.query(broken)
            XCTFail("expected an undefined column")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42703")
        }
        var fine: PostgresQuery = "SELECT \(Int64(5)) + 1"
        fine.prepared = true
        for _ in 0..<2 {
            let sum = try await connection.query(fine)[0].decode(Int.self, at: 0)
            XCTAssertEqual(sum, 6)
        }
    }
}
