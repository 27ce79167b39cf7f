import Foundation
import Postgres
import TestSupport
import XCTest

/// Every supported type goes to the server as a parameter, is stored in a column
/// of that type, and comes back equal — NULLs, extremes and hostile text included.
final class ValueRoundTripTests: XCTestCase {
    var connection: PostgresConnection!

    override func setUp() async throws {
        connection = try await TestDatabase.connect(try TestDatabase.appURL())
    }

    override func tearDown() async throws {
        connection?.close()
    }

    /// Stores `value` in a temporary column of `sqlType` and reads it back.
    func roundTrip<T: PostgresEncodable & PostgresDecodable>(_ value: T, _ sqlType: String, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
        try await connection.executeScript("DROP TABLE IF EXISTS pg_temp.round_trip; CREATE TEMP TABLE round_trip (v \(sqlType))")
        try await connection.query("INSERT INTO pg_temp.round_trip (v) VALUES (\(value))")
        let rows = try await connection.query("SELECT v FROM pg_temp.round_trip")
        XCTAssertEqual(rows.count, 1, file: file, line: line)
        return try rows[0].decode(T.self, at: 0)
    }

    func assertRoundTrip<T: PostgresEncodable & PostgresDecodable & Equatable>(_ values: [T], _ sqlType: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        for value in values {
            let back = try await roundTrip(value, sqlType, file: file, line: line)
            XCTAssertEqual(back, value, "\(sqlType) round trip", file: file, line: line)
        }
        // And NULL, through the Optional form of the same type.
        let null = try await roundTrip(T?.none, sqlType, file: file, line: line)
        XCTAssertNil(null, "\(sqlType) NULL round trip", file: file, line: line)
    }

    func testText() async throws {
        try await assertRoundTrip([
            "", "plain", "Grüße, naïve café — 日本語 🧾💸", "line\nbreak\ttab",
            "Robert'); DROP TABLE tenants;--", "$1 \\ \" ' %s %n {}[]",
            String(repeating: "x", count: 100_000),
        ], "text")
    }

    func testSQLInjectionStringIsStoredVerbatim() async throws {
        let hostile = "'; DELETE FROM pg_temp.round_trip; SELECT '"
        try await connection.executeScript("CREATE TEMP TABLE injection (v text)")
        try await connection.query("INSERT INTO pg_temp.injection VALUES (\(hostile))")
        try await connection.query("INSERT INTO pg_temp.injection VALUES (\("second"))")
        let rows = try await connection.query("SELECT v FROM pg_temp.injection WHERE v = \(hostile)")
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(try rows[0].decode(String.self, at: 0), hostile)
        let all = try await connection.query("SELECT count(*) FROM pg_temp.injection")
        XCTAssertEqual(try all[0].decode(Int.self, at: 0), 2)
    }

    func testIntegers() async throws {
        try await assertRoundTrip([Int16.min, -1, 0, 1, Int16.max], "int2")
        try await assertRoundTrip([Int32.min, -1, 0, 42, Int32.max], "int4")
        try await assertRoundTrip([Int64.min, -1, 0, 1 << 53 + 1, Int64.max], "int8")
        try await assertRoundTrip([Int.min, 0, Int.max], "int8")
    }

    func testBool() async throws {
        try await assertRoundTrip([true, false], "bool")
    }

    func testUUID() async throws {
        try await assertRoundTrip([UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!], "uuid")
    }

    func testNumericIsExact() async throws {
        let values = [
            "0", "1", "-1", "0.1", "0.2", "123.45", "-123.4500", "1000000000000000000000000000000",
            "99999999999999999999999999999999999999",       // 38 digits
            "-0.00000000000000000000000000000000000001",    // 38 decimals
            "12345678901234567890.123456789012345678",      // 38 digits across the point
            "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        ].map { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX"))! }
        try await assertRoundTrip(values, "numeric")
        // The sum is done by the server, exactly: no binary floating point anywhere.
        let sum = try await connection.query("SELECT \(Decimal(string: "0.1")!)::numeric + \(Decimal(string: "0.2")!)::numeric")
        XCTAssertEqual(try sum[0].decode(Decimal.self, at: 0), Decimal(string: "0.3")!)
        let nan = try await roundTrip(Decimal.nan, "numeric")
        XCTAssertTrue(nan.isNaN)
    }

    func testNumericBeyondDecimalFailsInsteadOfRounding() async throws {
        let tooBig = [
            "123456789012345678901234567890123456789": "123456789012345678901234567890123456789",
            "1e200": "1" + String(repeating: "0", count: 200),
            "1e-200": "0." + String(repeating: "0", count: 199) + "1",
        ]
        for (literal, exactText) in tooBig {
            let rows = try await connection.query("SELECT \(literal)::numeric")
            XCTAssertThrowsError(try rows[0].decode(Decimal.self, at: 0), literal) { error in
                XCTAssertEqual((error as? PostgresError)?.kind, .decoding)
            }
            // The text form is still available, exactly.
            XCTAssertEqual(try rows[0].decode(String.self, at: 0), exactText)
        }
    }

    func testFloat8() async throws {
        try await assertRoundTrip([0.0, -0.5, 0.1, 1.0 / 3.0, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude, .infinity, -.infinity], "float8")
        let nan = try await roundTrip(Double.nan, "float8")
        XCTAssertTrue(nan.isNaN)
    }

    func testTimestampTZKeepsMicroseconds() async throws {
        let values = [
            Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: 1_700_000_000.123456),
            Date(timeIntervalSince1970: -2_208_988_800.000001),  // 1899-12-31T23:59:59.999999Z
            Date(timeIntervalSince1970: 253_402_300_799.999999), // 9999-12-31T23:59:59.999999Z
        ]
        for value in values {
            let back = try await roundTrip(value, "timestamptz")
            XCTAssertEqual(back.timeIntervalSince1970, value.timeIntervalSince1970, accuracy: 0.000_001)
        }
        let null = try await roundTrip(Date?.none, "timestamptz")
        XCTAssertNil(null)
        // The server agrees on the instant, not just the text.
        let epoch = try await connection.query("SELECT extract(epoch FROM \(Date(timeIntervalSince1970: 1_700_000_000.5)))::float8")
        XCTAssertEqual(try epoch[0].decode(Double.self, at: 0), 1_700_000_000.5)
        // Offsets other than UTC (a session that changed its zone) are parsed too.
        try await connection.executeScript("SET TIME ZONE 'Asia/Kolkata'")
        let india = try await connection.query("SELECT '2024-02-29 10:00:00+00'::timestamptz")
        XCTAssertEqual(try india[0].decode(Date.self, at: 0).timeIntervalSince1970, 1_709_200_800)
    }

    func testDate() async throws {
        try await assertRoundTrip([
            CalendarDate(year: 2024, month: 2, day: 29), CalendarDate(year: 1970, month: 1, day: 1),
            CalendarDate(year: 9999, month: 12, day: 31), CalendarDate(year: 1, month: 1, day: 1),
            CalendarDate(year: 0, month: 6, day: 15),  // 1 BC
        ], "date")
    }

    func testJSONB() async throws {
        let json = PostgresJSONB(text: #"{"name": "Ünïcødé 🧾", "nested": {"list": [1, 2.5, null, true]}, "quote": "\"'"}"#)
        let back = try await roundTrip(json, "jsonb")
        struct Shape: Decodable, Equatable { var name: String; var quote: String }
        XCTAssertEqual(try back.decode(Shape.self), Shape(name: "Ünïcødé 🧾", quote: "\"'"))
        let null = try await roundTrip(PostgresJSONB?.none, "jsonb")
        XCTAssertNil(null)
    }

    func testBytea() async throws {
        try await assertRoundTrip([Data(), Data((0...255).map { UInt8($0) }), Data(repeating: 0, count: 70_000)], "bytea")
    }

    func testTextArray() async throws {
        try await assertRoundTrip([
            [], ["a"], ["with space", "comma,inside", "quote\"inside", "back\\slash", "{braces}", "NULL", "", "日本"],
        ], "text[]")
        let withNull = try await connection.query("SELECT ARRAY['a', NULL, 'NULL']::text[]")
        XCTAssertThrowsError(try withNull[0].decode([String].self, at: 0))
    }

    func testUUIDArray() async throws {
        try await assertRoundTrip([[], [UUID()], [UUID(), UUID(), UUID()]], "uuid[]")
    }

    func testNullIntoNonOptionalIsADecodingError() async throws {
        let rows = try await connection.query("SELECT NULL::text AS nothing")
        XCTAssertThrowsError(try rows[0].decode(String.self, at: 0)) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .decoding)
            XCTAssertTrue("\(error)".contains("nothing"), "names the column")
        }
        XCTAssertNil(try rows[0].decode(String?.self, named: "nothing"))
    }

    func testTypeMismatchIsADecodingError() async throws {
        let rows = try await connection.query("SELECT 42::int4, 'x'::text")
        XCTAssertThrowsError(try rows[0].decode(UUID.self, at: 0))
        XCTAssertThrowsError(try rows[0].decode(Int.self, at: 1))
        XCTAssertThrowsError(try rows[0].decode(Int.self, at: 7))
        let (number, text) = try rows[0].decode((Int, String).self)
        XCTAssertEqual(number, 42)
        XCTAssertEqual(text, "x")
    }
}

final class ValueTextTests: XCTestCase {
    func testUUIDLowercaseTextMatchesFoundation() {
        for _ in 0..<100 {
            let uuid = UUID()
            XCTAssertEqual(uuid.lowercaseText, uuid.uuidString.lowercased())
        }
    }
}
