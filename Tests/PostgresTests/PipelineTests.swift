import Postgres
import TestSupport
import XCTest

final class PipelineTests: XCTestCase {
    func testResultsComeBackInOrder() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { connection.close() }
        let queries: [PostgresQuery] = (1...50).map { "SELECT \($0)::int8 * 2" }
        let results = try await connection.pipeline(queries)
        XCTAssertEqual(try results.map { try $0[0].decode(Int.self, at: 0) }, (1...50).map { $0 * 2 })
    }

    func testAFailureSkipsTheRestAndLeavesTheSessionUsable() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { connection.close() }
        try await connection.executeScript("CREATE TEMP TABLE piped (x int)")
        do {
            try await connection.pipeline([
                "INSERT INTO pg_temp.piped VALUES (\(1))",
                "SELECT 1 / 0",
                "INSERT INTO pg_temp.piped VALUES (\(2))",
            ])
            XCTFail("expected division by zero")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "22012")
        }
        let rows = try await connection.query("SELECT x FROM pg_temp.piped ORDER BY x")
        // A pipeline up to its sync is one implicit transaction: the first insert is rolled
        // back with the failure, and the third never ran.
        XCTAssertEqual(try rows.map { try $0.decode(Int.self, at: 0) }, [])
        XCTAssertEqual(connection.transactionState, .idle)
    }
}
