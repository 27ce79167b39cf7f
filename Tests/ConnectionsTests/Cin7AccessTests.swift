@testable import Connectors
import Foundation
@testable import Services
import XCTest

/// `withCin7`: a connected Cin7 connection's Account ID and Application Key,
/// out of the vault; anything else a typed error.
final class Cin7AccessTests: XCTestCase {
    var harness: ConnectionHarness!

    override func tearDown() async throws {
        await harness?.shutdown()
    }

    static let account = "c1a70000-5a4d-4b0c-8000-0000000000e9"

    /// A connected Cin7 connection with its key sealed, as ConnectCin7Core leaves it.
    static func insertCin7(_ harness: ConnectionHarness, _ tenant: UUID, key: String = "cin7-access-key") async throws -> UUID {
        let id = UUID()
        try await harness.database.withTenant(tenant) { tx in
            try await tx.query("""
                INSERT INTO connections (tenant_id, id, provider, status, external_id, external_name)
                VALUES (\(tenant), \(id), 'cin7', 'connected', \(account), 'Cin7 Test Co')
                """)
            try await harness.service.vault.store([.applicationKey: key], connection: id, provider: "cin7", in: tx)
        }
        return id
    }

    func testTheAccountAndKeyOfAConnectedConnection() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await Self.insertCin7(harness, tenant)
        let (account, key) = try await harness.service.withCin7(tenant: tenant, connection: connection) { ($0.accountID, $0.applicationKey) }
        XCTAssertEqual(account, Self.account)
        XCTAssertEqual(key, "cin7-access-key")

        try await harness.setStatus(tenant, connection, "revoked")
        await assertError(.notConnected, tenant, connection)
        try await harness.setStatus(tenant, connection, "needs_reauth")
        await assertError(.needsReauth, tenant, connection)
        await assertError(.notFound, tenant, UUID())
        // A Xero connection is not a Cin7 one.
        let xero = try await harness.connectXero(tenant)
        await assertError(.notConnected, tenant, xero)
    }

    private func assertError(_ code: ConnectionAccessError.Code, _ tenant: UUID, _ connection: UUID, line: UInt = #line) async {
        do {
            _ = try await harness.service.withCin7(tenant: tenant, connection: connection) { $0.accountID }
            XCTFail("credentials were handed out", line: line)
        } catch let error as ConnectionAccessError {
            XCTAssertEqual(error.code, code, error.description, line: line)
        } catch {
            XCTFail("\(error)", line: line)
        }
    }
}
