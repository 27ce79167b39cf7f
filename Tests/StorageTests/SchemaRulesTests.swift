import Foundation
import Postgres
import TestSupport
import XCTest

/// The tenancy rules of migrations/0001, checked over the live catalog so that
/// every table a later migration adds is held to them too.
final class SchemaRulesTests: XCTestCase {
    func testEveryTableWithTenantIDIsIsolatedOrDeclaredPlatform() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.ownerURL())
        defer { connection.close() }
        let tables = try await connection.query("""
            SELECT c.relname,
                   c.relrowsecurity,
                   c.relforcerowsecurity,
                   coalesce(obj_description(c.oid, 'pg_class'), '') AS comment,
                   (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = c.oid AND i.indisprimary) AS pk_first,
                   (SELECT count(*) FROM pg_index i LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = c.oid AND (a.attname IS DISTINCT FROM 'tenant_id')) AS indexes_not_led_by_tenant,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                     AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_setting(''app.tenant_id''%'
                     AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%current_setting(''app.tenant_id''%'
                     AND pg_get_expr(p.polqual, p.polrelid) NOT ILIKE '%select%') AS tenant_policies,
                   (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') AS tenant_not_null,
                   (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id') AS tenant_type
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            ORDER BY c.relname
            """)
        XCTAssertFalse(tables.isEmpty, "expected at least audit_log")
        var tenantOwned: [String] = []
        for row in tables {
            let name = try row.decode(String.self, named: "relname")
            let comment = try row.decode(String.self, named: "comment")
            if comment.hasPrefix("platform table:") { continue }
            tenantOwned.append(name)
            XCTAssertTrue(try row.decode(Bool.self, named: "relrowsecurity"), "\(name): RLS not enabled")
            XCTAssertTrue(try row.decode(Bool.self, named: "relforcerowsecurity"), "\(name): RLS not forced")
            XCTAssertEqual(try row.decode(String?.self, named: "pk_first"), "tenant_id", "\(name): tenant_id must lead the primary key")
            XCTAssertEqual(try row.decode(Int.self, named: "indexes_not_led_by_tenant"), 0, "\(name): every index must start with tenant_id")
            XCTAssertGreaterThan(try row.decode(Int.self, named: "policies"), 0, "\(name): no policy")
            XCTAssertEqual(try row.decode(Int.self, named: "tenant_policies"), try row.decode(Int.self, named: "policies"),
                           "\(name): every policy compares against app.tenant_id, without subqueries")
            XCTAssertTrue(try row.decode(Bool.self, named: "tenant_not_null"), "\(name): tenant_id must be NOT NULL")
            XCTAssertEqual(try row.decode(String.self, named: "tenant_type"), "uuid", "\(name): tenant_id must be uuid")
        }
        XCTAssertTrue(tenantOwned.contains("audit_log"))
    }

    func testThePlatformTablesSaySo() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.ownerURL())
        defer { connection.close() }
        for table in ["tenants", "schema_migrations"] {
            let comment = try await connection.query("SELECT obj_description(\(table)::regclass, 'pg_class')")[0].decode(String?.self, at: 0)
            XCTAssertTrue(comment?.hasPrefix("platform table:") ?? false, "\(table): \(comment ?? "no comment")")
        }
    }

    func testTheAppRoleOwnsNothingAndTheOwnerOwnsEverything() async throws {
        let connection = try await TestDatabase.connect(try TestDatabase.ownerURL())
        defer { connection.close() }
        let owners = try await connection.query("""
            SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public'
            """).map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(owners, ["ledgerbridge_owner"])
    }
}
