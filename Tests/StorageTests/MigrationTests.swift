import Foundation
import Postgres
@testable import Storage
import TestSupport
import XCTest

final class MigrationTests: XCTestCase {
    var scratch: ScratchDatabase!

    override func setUp() async throws {
        guard let scratch = try await ScratchDatabase.create() else {
            throw XCTSkip("needs LEDGERBRIDGE_TEST_ADMIN_URL (the private cluster of ops/test) to create scratch databases")
        }
        self.scratch = scratch
    }

    override func tearDown() async throws {
        await scratch?.drop()
    }

    /// The repository's migrations plus test files with side effects that would show a double apply.
    func migrations(extra: [(String, String)] = []) throws -> [MigrationFile] {
        let directory = try XCTUnwrap(MigrationFile.defaultDirectory(), "set LEDGERBRIDGE_MIGRATIONS_DIR")
        var files = try MigrationFile.load(from: directory)
        for (name, sql) in extra {
            files.append(MigrationFile(version: MigrationFile.parseVersion(name)!, fileName: name, sql: sql))
        }
        return files
    }

    let counting = [
        ("0900_count_one.sql", "CREATE TABLE applied_count (n int); INSERT INTO applied_count VALUES (1);"),
        ("0901_count_two.sql", "INSERT INTO applied_count VALUES (2);"),
    ]

    func testConcurrentMigratorsApplyEachFileOnce() async throws {
        let files = try migrations(extra: counting)
        let migrator = Migrator(ownerURL: scratch.ownerURL)
        let appliedPerRun = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { try await migrator.migrate(files).map(\.fileName) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Exactly one run applied everything; the others found nothing left.
        XCTAssertEqual(appliedPerRun.filter { !$0.isEmpty }.count, 1)
        XCTAssertEqual(appliedPerRun.flatMap { $0 }.sorted(), files.map(\.fileName).sorted())

        let owner = try await TestDatabase.connect(scratch.ownerURL)
        defer { owner.close() }
        let counts = try await owner.query("SELECT n FROM applied_count ORDER BY n").map { try $0.decode(Int.self, at: 0) }
        XCTAssertEqual(counts, [1, 2])
        let recorded = try await owner.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        XCTAssertEqual(try recorded.map { try $0.decode(Int.self, at: 0) }, files.map(\.version))
        XCTAssertEqual(try recorded.map { try $0.decode(String.self, at: 1) }, files.map(\.checksum))
    }

    func testAnEditedAppliedFileIsRefused() async throws {
        let migrator = Migrator(ownerURL: scratch.ownerURL)
        try await migrator.migrate(try migrations(extra: counting))
        let edited = try migrations(extra: [counting[0], ("0901_count_two.sql", "INSERT INTO applied_count VALUES (22);")])
        do {
            try await migrator.migrate(edited)
            XCTFail("an edited migration was accepted")
        } catch let error as MigrationError {
            guard case .modifiedAfterApply(let fileName, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(fileName, "0901_count_two.sql")
            XCTAssertTrue("\(error)".contains("0901_count_two.sql"))
        }
        // The server refuses it too.
        let database = Database(url: scratch.appURL)
        defer { database.close() }
        do {
            try await database.verifySchema(matches: edited)
            XCTFail("serve would start on an edited schema")
        } catch let error as MigrationError {
            guard case .modifiedAfterApply = error else { return XCTFail("\(error)") }
        }
    }

    func testAFailingMigrationIsRolledBackAndNamed() async throws {
        let migrator = Migrator(ownerURL: scratch.ownerURL)
        let files = try migrations(extra: [
            ("0900_half_done.sql", "CREATE TABLE half_done (x int); SELECT 1 / 0;"),
        ])
        do {
            try await migrator.migrate(files)
            XCTFail("a failing migration succeeded")
        } catch let error as MigrationError {
            guard case .failed(let fileName, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(fileName, "0900_half_done.sql")
            XCTAssertTrue(message.contains("22012"), message)
        }
        let owner = try await TestDatabase.connect(scratch.ownerURL)
        defer { owner.close() }
        let exists = try await owner.query("SELECT to_regclass('half_done') IS NOT NULL")[0].decode(Bool.self, at: 0)
        XCTAssertFalse(exists, "the failed file's statements were rolled back")
        let versions = try await owner.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) }
        XCTAssertFalse(versions.contains(900))
        XCTAssertTrue(versions.contains(1), "earlier files stay applied")
    }

    func testServeRefusesUnmigratedAndNewerSchemas() async throws {
        let files = try migrations()
        let database = Database(url: scratch.appURL)
        defer { database.close() }
        do {
            try await database.verifySchema(matches: files)
            XCTFail("accepted an empty database")
        } catch let error as MigrationError {
            XCTAssertEqual(error, .pending(files.map(\.fileName)))
        }
        try await Migrator(ownerURL: scratch.ownerURL).migrate(try migrations(extra: counting))
        // This binary knows fewer migrations than the database has.
        do {
            try await database.verifySchema(matches: files)
            XCTFail("accepted a newer schema")
        } catch let error as MigrationError {
            guard case .unknownApplied(let versions, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(versions, [900, 901])
            XCTAssertTrue("\(error)".contains("newer than this binary"))
        }
        try await database.verifySchema(matches: try migrations(extra: counting))
    }

    func testFileNamesAreValidated() throws {
        XCTAssertEqual(MigrationFile.parseVersion("0001_foundation.sql"), 1)
        XCTAssertEqual(MigrationFile.parseVersion("0042_add_jobs_table.sql"), 42)
        for bad in ["1_x.sql", "0001-x.sql", "0001_.sql", "0001_X.sql", "0001_x.txt", "abcd_x.sql", "0000_zero.sql"] {
            XCTAssertNil(MigrationFile.parseVersion(bad), bad)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_b.sql"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MigrationFile.load(from: directory)) { error in
            XCTAssertEqual(error as? MigrationError, .duplicateVersion(1, "0001_a.sql", "0001_b.sql"))
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("0001_b.sql"))
        try "oops".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MigrationFile.load(from: directory)) { error in
            XCTAssertEqual(error as? MigrationError, .invalidFileName("notes.txt"))
        }
    }
}
