import Connectors
import Foundation
@testable import Services
import XCTest

/// `keepAlive`: a refresh for a connection whose last one is too old, so no
/// refresh token idles to Xero's expiry; nothing otherwise, and once across
/// callers racing for the same connection.
final class KeepAliveTests: XCTestCase {
    var harness: ConnectionHarness!

    override func tearDown() async throws {
        await harness?.shutdown()
    }

    func testAnOldRefreshIsRenewedAndARecentOneLeftAlone() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        var before = harness.refreshes
        // Imported tokens: nobody knows when their refresh token was last used, so it is due at once.
        var outcome = try await harness.service.keepAlive(tenant: tenant, connection: connection)
        XCTAssertEqual(outcome, .refreshed)
        XCTAssertEqual(harness.refreshes, before + 1)
        outcome = try await harness.service.keepAlive(tenant: tenant, connection: connection)
        XCTAssertEqual(outcome, .notDue)
        XCTAssertEqual(harness.refreshes, before + 1, "refreshed moments ago: nothing to do")

        try await harness.setLastRefresh(tenant, connection, ago: 6 * 86_400)
        outcome = try await harness.service.keepAlive(tenant: tenant, connection: connection)
        XCTAssertEqual(outcome, .notDue, "six days is within the default week")
        try await harness.setLastRefresh(tenant, connection, ago: 8 * 86_400)
        before = harness.refreshes
        outcome = try await harness.service.keepAlive(tenant: tenant, connection: connection)
        XCTAssertEqual(outcome, .refreshed)
        XCTAssertEqual(harness.refreshes, before + 1)
        let row = try await harness.row(tenant, connection)
        XCTAssertLessThan(-(try XCTUnwrap(row.lastRefresh)).timeIntervalSinceNow, 60)
    }

    func testTwoCallersAtOnceRefreshOnce() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let connection = try await harness.connectXero(tenant)
        try await harness.setLastRefresh(tenant, connection, ago: 30 * 86_400)
        let before = harness.refreshes
        let service = harness.service
        async let first = service.keepAlive(tenant: tenant, connection: connection)
        async let second = service.keepAlive(tenant: tenant, connection: connection)
        let outcomes = try await [first, second]
        XCTAssertEqual(harness.refreshes, before + 1, "the second caller saw the first one's refresh under the row lock")
        XCTAssertEqual(Set(outcomes), [.refreshed, .notDue])
    }

    /// The point of it: with refresh tokens that die after 3 s unused, a connection kept
    /// alive every second still refreshes after 4 s; one left alone needs a new consent.
    func testKeepingAliveOutlivesTheRefreshTokensIdleExpiry() async throws {
        harness = try await ConnectionHarness(refreshTokenIdleLifetime: .seconds(3))
        let tenant = try await harness.newTenant(), idleTenant = try await harness.newTenant()
        let kept = try await harness.connectXero(tenant)
        let idle = try await harness.connectXero(idleTenant)
        for _ in 0..<4 {
            try await Task.sleep(for: .seconds(1))
            _ = try await harness.service.keepAlive(tenant: tenant, connection: kept, olderThan: 0.9)
        }
        let keptOutcome = try await harness.service.refresh(tenant: tenant, connection: kept, caller: .tokenUpkeep, force: true)
        XCTAssertEqual(keptOutcome, .refreshed)
        let idleOutcome = try await harness.service.refresh(tenant: idleTenant, connection: idle, caller: .tokenUpkeep, force: true)
        XCTAssertEqual(idleOutcome, .needsReauth)
        // And a connection waiting for a consent is not kept alive (nor asked about at Xero).
        let before = harness.refreshes
        let outcome = try await harness.service.keepAlive(tenant: idleTenant, connection: idle)
        XCTAssertEqual(outcome, .notApplicable)
        XCTAssertEqual(harness.refreshes, before)
    }

    func testCin7AndUnknownConnections() async throws {
        harness = try await ConnectionHarness()
        let tenant = try await harness.newTenant()
        let cin7 = try await Cin7AccessTests.insertCin7(harness, tenant)
        let outcome = try await harness.service.keepAlive(tenant: tenant, connection: cin7)
        XCTAssertEqual(outcome, .notApplicable, "Cin7 keys do not expire")
        do {
            _ = try await harness.service.keepAlive(tenant: tenant, connection: UUID())
            XCTFail("an unknown connection was kept alive")
        } catch let error as ConnectionAccessError {
            XCTAssertEqual(error.code, .notFound)
        }
    }
}
