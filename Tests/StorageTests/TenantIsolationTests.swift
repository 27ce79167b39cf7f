import Foundation
import Postgres
@testable import Storage
import TestSupport
import XCTest

/// Row-level security holds even against a deliberately careless query.
final class TenantIsolationTests: XCTestCase {
    var database: Database!
    let tenantA = UUID()
    let tenantB = UUID()

    override func setUp() async throws {
        database = Database(url: try TestDatabase.appURL(), pool: PoolConfiguration(maxConnections: 1))
        for (tenant, slug) in [(tenantA, "a"), (tenantB, "b")] {
            try await database.withPlatform { tx in
                try await tx.query("INSERT INTO tenants (id, slug, name) VALUES (\(tenant), \("iso-\(slug)-\(tenant.uuidString.prefix(8).lowercased())"), \("Tenant \(slug)"))")
            }
            try await database.withTenant(tenant) { tx in
                try await tx.query("INSERT INTO audit_log (tenant_id, actor, action, detail) VALUES (\(tenant), \("test"), \("created"), \(PostgresJSONB(text: #"{"who": "\#(slug)"}"#)))")
                try await tx.query("INSERT INTO audit_log (tenant_id, actor, action) VALUES (\(tenant), \("test"), \("touched"))")
            }
        }
    }

    override func tearDown() async throws {
        database?.close()
    }

    func testUnfilteredSelectSeesOnlyTheCurrentTenant() async throws {
        let tenants = try await database.withTenant(tenantA) { tx in
            // No WHERE clause at all: the policy is the only filter.
            try await tx.query("SELECT * FROM audit_log").map { try $0.decode(UUID.self, named: "tenant_id") }
        }
        XCTAssertEqual(tenants.count, 2)
        XCTAssertEqual(Set(tenants), [tenantA])
    }

    func testWithoutATenantTenantTablesAreEmptyAndRefuseWrites() async throws {
        let count = try await database.withPlatform { tx in
            try await tx.query("SELECT count(*) FROM audit_log")[0].decode(Int.self, at: 0)
        }
        XCTAssertEqual(count, 0)
        do {
            try await database.withPlatform { tx in
                try await tx.query("INSERT INTO audit_log (tenant_id, actor, action) VALUES (\(tenantA), \("x"), \("y"))")
            }
            XCTFail("insert without a tenant succeeded")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isInsufficientPrivilege, "\(error)")
        }
    }

    func testWritingAnotherTenantsRowFails() async throws {
        do {
            try await database.withTenant(tenantA) { tx in
                try await tx.query("INSERT INTO audit_log (tenant_id, actor, action) VALUES (\(tenantB), \("a"), \("forged"))")
            }
            XCTFail("tenant A wrote a row of tenant B")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isInsufficientPrivilege, "\(error)")
            XCTAssertTrue(error.message.contains("row-level security"), error.message)
        }
        let forged = try await database.withTenant(tenantB) { tx in
            try await tx.query("SELECT count(*) FROM audit_log WHERE action = 'forged'")[0].decode(Int.self, at: 0)
        }
        XCTAssertEqual(forged, 0)
    }

    func testTheNextUserOfAPooledSessionCarriesNoTenant() async throws {
        // One session in the pool: the platform transaction gets the very session A just used.
        let pidA = try await database.withTenant(tenantA) { tx in
            try await tx.query("SELECT pg_backend_pid()")[0].decode(Int.self, at: 0)
        }
        let (pid, setting, visible) = try await database.withPlatform { tx in
            let row = try await tx.query("SELECT pg_backend_pid(), current_setting('app.tenant_id', true), (SELECT count(*) FROM audit_log)")[0]
            return try row.decode((Int, String?, Int).self)
        }
        XCTAssertEqual(pid, pidA)
        XCTAssertTrue(setting == nil || setting == "", "app.tenant_id leaked: \(setting ?? "nil")")
        XCTAssertEqual(visible, 0)
    }

    func testTenantTransactionRollsBackOnError() async throws {
        struct Abort: Error {}
        do {
            try await database.withTenant(tenantA) { tx in
                try await tx.query("INSERT INTO audit_log (tenant_id, actor, action) VALUES (\(tenantA), \("t"), \("rolled-back"))")
                throw Abort()
            }
        } catch is Abort {}
        let count = try await database.withTenant(tenantA) { tx in
            try await tx.query("SELECT count(*) FROM audit_log WHERE action = 'rolled-back'")[0].decode(Int.self, at: 0)
        }
        XCTAssertEqual(count, 0)
    }

    func testTheAppRoleCannotTurnSecurityOff() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.appURL())
        defer { connection.close() }
        // row_security = off does not bypass policies; it makes such queries fail instead.
        try await connection.executeScript("SET row_security = off")
        await assertFails(connection, "SELECT * FROM audit_log", state: "42501")
        try await connection.executeScript("RESET row_security")
        await assertFails(connection, "ALTER POLICY tenant_isolation ON audit_log USING (true)", state: "42501")
        await assertFails(connection, "DROP POLICY tenant_isolation ON audit_log", state: "42501")
        await assertFails(connection, "ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY", state: "42501")
        await assertFails(connection, "ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY", state: "42501")
        await assertFails(connection, "SET ROLE ledgerbridge_owner", state: "42501")
        await assertFails(connection, "SET SESSION AUTHORIZATION ledgerbridge_owner", state: "42501")
        await assertFails(connection, "CREATE TABLE sneaky (x int)", state: "42501")

        let role = try await connection.query("""
            SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
                   (SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned
            FROM pg_roles r WHERE rolname = current_user
            """)[0]
        let (superuser, bypass, createRole, createDB, owned) = try role.decode((Bool, Bool, Bool, Bool, Int).self)
        XCTAssertFalse(superuser)
        XCTAssertFalse(bypass)
        XCTAssertFalse(createRole)
        XCTAssertFalse(createDB)
        XCTAssertEqual(owned, 0, "the server's role owns no relation")
    }

    private func assertFails(_ connection: PostgresConnection, _ sql: String, state: String, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await connection.executeScript(sql)
            XCTFail("the app role could run: \(sql)", file: file, line: line)
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, state, "\(sql): \(error)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}
