import Connectors
import Foundation
import Sandbox
@testable import Services
import XCTest

/// `withXero` against the sandbox: refreshed ahead of expiry, once on a 401,
/// never in a loop, and a connection that needs a consent reported as such.
final class XeroAccessTests: XCTestCase {
    var harness: ConnectionHarness!

    override func tearDown() async throws {
        await harness?.shutdown()
    }

    func testATokenFarFromExpiryIsUsedAsItIs() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        let before = harness.refreshes
        let (name, access) = try await harness.service.withXero(tenant: tenant, connection: connection) { access in
            (try await harness.organisationName(access), access)
        }
        XCTAssertEqual(name, "Harness Ltd")
        XCTAssertEqual(access.organisationID, harness.organisation.tenantID.uuidString.lowercased())
        XCTAssertEqual(harness.refreshes, before, "30 minutes left: no refresh")
        XCTAssertFalse(access.description.contains(access.accessToken), "a description never shows the token")
    }

    func testATokenNearExpiryIsRefreshedBeforeTheCall() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        let first = try await harness.service.withXero(tenant: tenant, connection: connection) { $0.accessToken }
        try await harness.setAccessExpiry(tenant, connection, in: 120)
        let before = harness.refreshes
        var tokens: [String] = []
        let name = try await harness.service.withXero(tenant: tenant, connection: connection) { access in
            tokens.append(access.accessToken)
            return try await harness.organisationName(access)
        }
        XCTAssertEqual(name, "Harness Ltd")
        XCTAssertEqual(harness.refreshes, before + 1, "two minutes left, within the five-minute margin: refreshed first")
        XCTAssertEqual(tokens.count, 1, "the body ran once, with the new token")
        XCTAssertNotEqual(tokens.first, first)
        XCTAssertEqual(harness.calls("GET /api.xro/2.0/Organisation", status: 401), 0, "the call never met an expiring token")
        let row = try await harness.row(tenant, connection)
        XCTAssertNotNil(row.lastRefresh)
        // A margin of one minute would not have refreshed (the row now says 30 minutes anyway).
        _ = try await harness.service.withXero(tenant: tenant, connection: connection, refreshAhead: 60) { try await harness.organisationName($0) }
        XCTAssertEqual(harness.refreshes, before + 1)
    }

    /// The sandbox's access tokens live 2 s while the row believes 30 minutes: Xero
    /// answers 401 to an expired token the server did not expect to be expired.
    func testA401RefreshesOnceAndTheCallIsRetriedOnce() async throws {
        harness = try await ConnectionHarness(accessTokenLifetime: .seconds(2))
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        try await harness.setAccessExpiry(tenant, connection, in: 1800)
        try await Task.sleep(for: .milliseconds(2300))
        let before = harness.refreshes
        var attempts = 0
        let name = try await harness.service.withXero(tenant: tenant, connection: connection) { access in
            attempts += 1
            return try await harness.organisationName(access)
        }
        XCTAssertEqual(name, "Harness Ltd")
        XCTAssertEqual(attempts, 2)
        XCTAssertEqual(harness.calls("GET /api.xro/2.0/Organisation", status: 401), 1, "the sandbox refused the expired token once")
        XCTAssertEqual(harness.refreshes, before + 1, "one refresh")
    }

    /// Xero keeps answering 401 whatever the token: one refresh, two tries, a typed error; no loop.
    func testAPersistent401IsAnErrorAfterExactlyOneRefresh() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        let rule = harness.frontDoor.faults.add(FaultRule(method: "GET", path: "/api.xro/2.0/Organisation", fault: .status, status: 401))
        let before = harness.refreshes
        var attempts = 0
        do {
            _ = try await harness.service.withXero(tenant: tenant, connection: connection) { access in
                attempts += 1
                return try await harness.organisationName(access)
            }
            XCTFail("a token refused twice was reported as success")
        } catch let error as ConnectionAccessError {
            XCTAssertEqual(error.code, .tokenRejected)
            XCTAssertEqual(error.connectionID, connection)
        }
        XCTAssertEqual(attempts, 2)
        XCTAssertEqual(harness.refreshes, before + 1, "exactly one refresh")
        let row = try await harness.row(tenant, connection)
        XCTAssertEqual(row.status, "connected", "a refused call does not end the connection")
        XCTAssertTrue(row.lastError?.contains("401") ?? false)
        // Once Xero answers again, so does the connection.
        XCTAssertTrue(harness.frontDoor.faults.remove(id: try XCTUnwrap(rule.id)))
        let name = try await harness.service.withXero(tenant: tenant, connection: connection) { try await harness.organisationName($0) }
        XCTAssertEqual(name, "Harness Ltd")
    }

    /// The connectors' own 401 (`XeroIdentityError.unauthorized`) counts as a refused token too.
    func testTheConnectorsUnauthorizedCountsAsARefusedToken() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        harness.frontDoor.faults.add(FaultRule(method: "GET", path: "/connections", fault: .status, status: 401, times: 1))
        let before = harness.refreshes
        let listed = try await harness.service.withXero(tenant: tenant, connection: connection) { access in
            try await harness.identity.connections(accessToken: access.accessToken)
        }
        XCTAssertEqual(listed.map(\.tenantName), ["Harness Ltd"])
        XCTAssertEqual(harness.refreshes, before + 1)
    }

    func testARefusedRefreshTokenIsNeedsReauthAndXeroIsNotAskedAgain() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        harness.frontDoor.faults.add(FaultRule(method: "POST", path: "/connect/token", fault: .status, status: 400, times: 1))
        // The fault answers 400 without Xero's JSON: that is not invalid_grant, and must not end the connection.
        try await harness.setAccessExpiry(tenant, connection, in: 10)
        await assertAccessError(.unavailable, tenant, connection)
        let stillConnected = try await harness.row(tenant, connection)
        XCTAssertEqual(stillConnected.status, "connected")
        // Now the real thing: the refresh token is revoked at Xero.
        let refreshToken = try await harness.database.withTenant(tenant, readOnly: true) { tx in
            try await harness.service.vault.load(.refreshToken, connection: connection, provider: "xero", in: tx)
        }
        try await harness.identity.revoke(refreshToken: try XCTUnwrap(refreshToken))
        await assertAccessError(.needsReauth, tenant, connection)
        let row = try await harness.row(tenant, connection)
        XCTAssertEqual(row.status, "needs_reauth")
        let before = harness.calls("POST /connect/token", status: 400)
        await assertAccessError(.needsReauth, tenant, connection)
        XCTAssertEqual(harness.calls("POST /connect/token", status: 400), before, "a connection waiting for a consent does not call Xero")
    }

    func testOnlyConnectedXeroConnectionsAreHandedOut() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        await assertAccessError(.notFound, tenant, UUID())
        for status in ["pending", "revoked", "error"] {
            try await harness.setStatus(tenant, connection, status)
            await assertAccessError(.notConnected, tenant, connection)
        }
        // Another tenant's connection does not exist for this one.
        let other = try await harness.newTenant()
        try await harness.setStatus(tenant, connection, "connected")
        await assertAccessError(.notFound, other, connection)
    }

    private func assertAccessError(_ code: ConnectionAccessError.Code, _ tenant: UUID, _ connection: UUID, line: UInt = #line) async {
        do {
            _ = try await harness.service.withXero(tenant: tenant, connection: connection) { try await harness.organisationName($0) }
            XCTFail("access was handed out", line: line)
        } catch let error as ConnectionAccessError {
            XCTAssertEqual(error.code, code, error.description, line: line)
        } catch {
            XCTFail("\(error)", line: line)
        }
    }
}
