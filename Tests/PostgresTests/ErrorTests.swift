import Foundation
import Postgres
import TestSupport
import XCTest

/// Server errors arrive typed, with SQLSTATE, detail and constraint, and leave the session usable.
final class ErrorTests: XCTestCase {
    var connection: PostgresConnection!

    override func setUp() async throws {
        connection = try await TestDatabase.connect(try TestDatabase.appURL())
    }

    override func tearDown() async throws {
        connection?.close()
    }

    func testUniqueViolationCarriesConstraintAndDetail() async throws {
        try await connection.executeScript("CREATE TEMP TABLE things (id int CONSTRAINT things_pk PRIMARY KEY)")
        try await connection.query("INSERT INTO pg_temp.things VALUES (\(1))")
        do {
            try await connection.query("INSERT INTO pg_temp.things VALUES (\(1))")
            XCTFail("expected a unique violation")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .server)
            XCTAssertEqual(error.sqlState, "23505")
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertEqual(error.constraint, "things_pk")
            XCTAssertEqual(error.detail, "Key (id)=(1) already exists.")
            XCTAssertEqual(error.severity, "ERROR")
        }
        // The session goes on.
        let rows = try await connection.query("SELECT count(*) FROM pg_temp.things")
        XCTAssertEqual(try rows[0].decode(Int.self, at: 0), 1)
    }

    func testSyntaxErrorAndOtherStates() async throws {
        await assertSQLState("SELEKT 1", "42601")
        await assertSQLState("SELECT 1 / 0", "22012")
        await assertSQLState("SELECT * FROM no_such_table", "42P01")
        await assertSQLState("SELECT 'not a uuid'::uuid", "22P02")
    }

    func testNotNullAndCheckViolations() async throws {
        try await connection.executeScript("CREATE TEMP TABLE checked (v int NOT NULL CHECK (v > 0))")
        do {
            try await connection.query("INSERT INTO pg_temp.checked VALUES (\(Int?.none))")
            XCTFail("expected not-null violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isNotNullViolation)
            XCTAssertEqual(error.column, "v")
        }
        do {
            try await connection.query("INSERT INTO pg_temp.checked VALUES (\(-1))")
            XCTFail("expected check violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isCheckViolation)
        }
    }

    func testWrongPasswordIsAConnectionErrorWithoutThePassword() async throws {
        let url = try TestDatabase.appURL()
        guard let at = url.range(of: "@"), let colon = url.range(of: ":", options: [], range: url.range(of: "://")!.upperBound..<at.lowerBound) else {
            throw XCTSkip("DATABASE_URL has no password to get wrong")
        }
        let badPassword = "wrong-\(UUID().uuidString)"
        let badURL = String(url[..<colon.upperBound]) + badPassword + String(url[at.lowerBound...])
        do {
            _ = try await TestDatabase.connect(badURL)
            XCTFail("connected with a wrong password")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connection)
            XCTAssertTrue(error.isConnectionFailure)
            XCTAssertFalse("\(error)".contains(badPassword))
        }
        XCTAssertFalse(PostgresConfiguration(url: badURL).safeDescription.contains(badPassword))
    }

    func testUnreachableServerFailsWithinTheConnectTimeout() async throws {
        let start = ContinuousClock.now
        do {
            // Nothing listens on port 1; the refusal must come back as an error, not a hang.
            _ = try await PostgresConnection.connect(PostgresConfiguration(url: "postgresql://nobody@127.0.0.1:1/none", connectTimeout: 5))
            XCTFail("connected to nothing")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connection)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(6))
    }

    private func assertSQLState(_ sql: String, _ state: String, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await connection.executeScript(sql)
            XCTFail("\(sql) succeeded", file: file, line: line)
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, state, "\(sql): \(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }
}

final class ConfigurationTests: XCTestCase {
    func testSafeDescriptionNeverContainsThePassword() {
        let secret = "s3cr3t-\(UUID().uuidString)"
        for url in [
            "postgresql://app:\(secret)@db.example:5432/ledger",
            "postgresql://app@db.example/ledger?password=\(secret)&sslmode=require",
            "host=db.example port=5432 dbname=ledger user=app password=\(secret)",
            "host=db.example dbname=ledger user=app password = \(secret)",
            "host=db.example dbname=ledger user=app password='\(secret) with spaces'",
        ] {
            let description = PostgresConfiguration(url: url).safeDescription
            XCTAssertFalse(description.contains(secret), description)
            XCTAssertTrue(description.contains("db.example"), description)
            XCTAssertTrue(description.hasSuffix("/ledger"), description)
        }
    }
}
