import Foundation
import Postgres
import RPCMessages
@testable import Services
import XCTest

/// `sweepExpiredConsents`: states an hour past their expiry go, in bounded
/// batches, with the verifiers of consents never finished; everything still
/// in use stays.
final class ConsentSweepTests: XCTestCase {
    var harness: ConnectionHarness!

    override func tearDown() async throws {
        await harness?.shutdown()
    }

    /// BeginXeroConnection for a tenant: (connection id, state).
    func begin(_ tenant: UUID) async throws -> (UUID, String) {
        var request = Ledgerbridge_V1_BeginXeroConnectionRequest()
        request.tenantID = tenant.uuidString
        request.redirectUri = ConnectionHarness.redirect
        let response = try await Principal.$current.withValue(.bootstrapOperator) { try await harness.service.beginXero(request) }
        return (try XCTUnwrap(UUID(uuidString: response.connectionID)), response.state)
    }

    /// Moves this connection's states' expiry into the past by `seconds`.
    func age(_ connection: UUID, by seconds: TimeInterval) async throws {
        _ = try await harness.database.withPlatform { tx in
            try await tx.query("UPDATE oauth_states SET expires_at = \(Date().addingTimeInterval(-seconds)) WHERE connection_id = \(connection)")
        }
    }

    func states(_ connection: UUID) async throws -> Int {
        try await harness.database.withPlatform(readOnly: true) { tx in
            try await tx.query("SELECT count(*) FROM oauth_states WHERE connection_id = \(connection)")[0].decode(Int.self, at: 0)
        }
    }

    func secrets(_ tenant: UUID, _ connection: UUID) async throws -> [String] {
        try await harness.database.withTenant(tenant, readOnly: true) { tx in
            try await tx.query("SELECT field FROM connection_secrets WHERE tenant_id = \(tenant) AND connection_id = \(connection) ORDER BY field")
                .map { try $0.decode(String.self, at: 0) }
        }
    }

    func testOnlyWhatIsNoLongerNeededIsSwept() async throws {
        harness = try await ConnectionHarness()
        // Abandoned long ago: the state and the verifier go, the connection stays PENDING with a note.
        let abandonedTenant = try await harness.newTenant()
        let (abandoned, abandonedState) = try await begin(abandonedTenant)
        try await age(abandoned, by: 500 * 86_400)
        // Expired a minute ago: kept, so a late callback still reads "expired".
        let recentTenant = try await harness.newTenant()
        let (recent, recentState) = try await begin(recentTenant)
        try await age(recent, by: 60)
        // Abandoned once, then begun again: the old state goes, the new consent keeps its verifier.
        let retriedTenant = try await harness.newTenant()
        let (retried, _) = try await begin(retriedTenant)
        try await age(retried, by: 500 * 86_400)
        let (again, _) = try await begin(retriedTenant)
        XCTAssertEqual(again, retried)
        // Long done: connected with tokens; the state goes, the tokens stay.
        let doneTenant = try await harness.newTenant()
        let done = try await harness.connectXero(doneTenant)
        _ = try await harness.database.withPlatform { tx in
            try await tx.query("""
                INSERT INTO oauth_states (state_sha256, tenant_id, connection_id, redirect_uri, expires_at, used_at)
                VALUES (\(Data((0..<32).map { _ in UInt8.random(in: 0...255) })), \(doneTenant), \(done), 'http://127.0.0.1:9/cb', now() - interval '600 days', now() - interval '600 days')
                """)
        }

        _ = try await harness.service.sweepExpiredConsents()

        let abandonedStates = try await states(abandoned)
        XCTAssertEqual(abandonedStates, 0)
        let abandonedSecrets = try await secrets(abandonedTenant, abandoned)
        XCTAssertEqual(abandonedSecrets, [], "the verifier of a consent nobody will finish is erased")
        let abandonedRow = try await harness.row(abandonedTenant, abandoned)
        XCTAssertEqual(abandonedRow.status, "pending")
        XCTAssertEqual(abandonedRow.lastError, ConnectionService.lapsedConsent)

        let recentStates = try await states(recent)
        XCTAssertEqual(recentStates, 1)
        let recentSecrets = try await secrets(recentTenant, recent)
        XCTAssertEqual(recentSecrets, ["pkce_verifier"])
        let retriedStates = try await states(retried)
        XCTAssertEqual(retriedStates, 1, "the old state went, the new one stayed")
        let retriedSecrets = try await secrets(retriedTenant, retried)
        XCTAssertEqual(retriedSecrets, ["pkce_verifier"], "the consent in progress keeps its verifier")
        let doneStates = try await states(done)
        XCTAssertEqual(doneStates, 0)
        let doneSecrets = try await secrets(doneTenant, done)
        XCTAssertEqual(doneSecrets, ["access_token", "refresh_token"])

        // What callers see: the recent one still says "expired"; the swept one is unknown now.
        for (state, expected) in [(recentState, "expired"), (abandonedState, "not one this server issued")] {
            do {
                _ = try await harness.service.completeXero(state: state, code: "c", caller: .bootstrapOperator)
                XCTFail("an expired consent completed")
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testBatchesAreBounded() async throws {
        harness = try await ConnectionHarness()
        // Whatever an earlier run left behind goes first, so the batches below are this test's states.
        _ = try await harness.service.sweepExpiredConsents(limit: 100_000)
        var connections: [UUID] = []
        for _ in 0..<3 {
            let (connection, _) = try await begin(try await harness.newTenant())
            // Older than anything else on this database, so these come first.
            try await age(connection, by: 1_000 * 86_400 + Double(connections.count))
            connections.append(connection)
        }
        let first = try await harness.service.sweepExpiredConsents(limit: 2)
        XCTAssertEqual(first, .init(states: 2, verifiers: 2))
        var left = 0
        for connection in connections { left += try await states(connection) }
        XCTAssertEqual(left, 1)
        _ = try await harness.service.sweepExpiredConsents(limit: 2)
        left = 0
        for connection in connections { left += try await states(connection) }
        XCTAssertEqual(left, 0)
    }

    func testBeginXeroConnectionSweepsAtMostOnceAMinute() async throws {
        harness = try await ConnectionHarness()
        // A consent abandoned long ago, begun by another process (this one has not swept yet).
        let old = try await abandonedConsent(try await harness.newTenant())
        // The first consent in this process sweeps on its way...
        _ = try await begin(try await harness.newTenant())
        let swept = try await states(old)
        XCTAssertEqual(swept, 0)
        // ...the next ones within the minute do not.
        let older = try await abandonedConsent(try await harness.newTenant())
        _ = try await begin(try await harness.newTenant())
        let kept = try await states(older)
        XCTAssertEqual(kept, 1)
    }

    /// A pending connection and a state that expired 500 days ago, written as BeginXeroConnection writes them.
    func abandonedConsent(_ tenant: UUID) async throws -> UUID {
        let id = UUID()
        _ = try await harness.database.withTenant(tenant) { tx in
            try await tx.query("INSERT INTO connections (tenant_id, id, provider, status) VALUES (\(tenant), \(id), 'xero', 'pending')")
            try await tx.query("""
                INSERT INTO oauth_states (state_sha256, tenant_id, connection_id, redirect_uri, expires_at)
                VALUES (\(Data((0..<32).map { _ in UInt8.random(in: 0...255) })), \(tenant), \(id), 'http://127.0.0.1:9/cb', now() - interval '500 days')
                """)
        }
        return id
    }
}
