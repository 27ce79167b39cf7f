import AsyncHTTPClient
import Connectors
import Foundation
import HTTPServer
import Logging
import NIOCore
import Postgres
import RPCMessages
import Sandbox
@testable import Services
import Storage
import TestSupport
import Vault
import XCTest

/// A Xero sandbox in this process on a real socket (with its fault injector
/// and call counts at hand), the test database, and a `ConnectionService`
/// pointed at both, as `serve` builds it.
final class ConnectionHarness: @unchecked Sendable {
    static let clientID = "connections-tests", secret = "connections-tests-secret"
    static let redirect = "http://127.0.0.1:9/callback"

    let database: Database
    let server: HTTPServer
    let frontDoor: SandboxFrontDoor
    let service: ConnectionService
    let identity: XeroIdentityClient
    let base: String
    let organisation = XeroIdentityConfiguration.Organisation(tenantID: UUID(), name: "Harness Ltd")
    private(set) var tenants: [UUID] = []

    init(accessTokenLifetime: Duration = .seconds(1800), refreshTokenIdleLifetime: Duration = .seconds(60 * 86_400)) async throws {
        var configuration = XeroIdentityConfiguration(clientID: Self.clientID, clientSecret: Self.secret, organisations: [organisation])
        configuration.accessTokenLifetime = accessTokenLifetime
        configuration.refreshTokenIdleLifetime = refreshTokenIdleLifetime
        frontDoor = SandboxFrontDoor(api: XeroSandbox(configuration: .init(identity: configuration)), seed: 5)
        server = try await HTTPServer.start(configuration: .init(host: "127.0.0.1", port: 0), handler: SandboxHTTPHandler(api: frontDoor),
                                            logger: Logger(label: "connections-tests"))
        base = "http://127.0.0.1:\(server.localPort)"
        identity = XeroIdentityClient(endpoints: XeroEndpoints(loginURL: base, identityURL: base, apiURL: base, clientID: Self.clientID,
                                                               clientSecret: Self.secret))
        database = Database(url: try TestDatabase.appURL(), pool: PoolConfiguration(maxConnections: 4))
        service = ConnectionService(database: database, vault: CredentialVault(keys: KeyRingProvider(ring: .generate())), xero: identity,
                                    cin7: Cin7Client(baseURL: "http://127.0.0.1:9"))
    }

    /// Leaves no secret sealed by this throwaway ring behind (a later rotate-key on this database would count them).
    func shutdown() async {
        for tenant in tenants {
            _ = try? await database.withTenant(tenant) { tx in try await tx.query("DELETE FROM connection_secrets WHERE tenant_id = \(tenant)") }
        }
        database.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }

    func newTenant() async throws -> UUID {
        let id = UUID()
        _ = try await database.withPlatform { tx in
            try await tx.query("INSERT INTO tenants (id, slug, name) VALUES (\(id), \("conn-\(id.uuidString.prefix(8).lowercased())"), 'Connections test')")
        }
        tenants.append(id)
        return id
    }

    /// Tokens from the sandbox's consent, as another tool would get them.
    func consent(scopes: XeroScopeSet = .granular) async throws -> XeroTokenSet {
        let pkce = PKCE.generate()
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = browser.shutdown() }
        let url = identity.authorizationURL(redirectURI: Self.redirect, scopes: scopes.scopes, state: "s", pkce: pkce)
        let response = try await browser.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let location = try XCTUnwrap(response.headers.first(name: "location"))
        let code = try XCTUnwrap(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        return try await identity.exchange(code: code, verifier: pkce.verifier, redirectURI: Self.redirect)
    }

    /// A tenant's Xero connection made by importing fresh tokens (StoreCredentials); its id.
    func connectXero(_ tenant: UUID) async throws -> UUID {
        let tokens = try await consent()
        var credentials = Ledgerbridge_V1_XeroCredentials()
        credentials.accessToken = tokens.accessToken
        credentials.refreshToken = try XCTUnwrap(tokens.refreshToken)
        credentials.organisationID = organisation.tenantID.uuidString
        var request = Ledgerbridge_V1_StoreCredentialsRequest()
        request.tenantID = tenant.uuidString
        request.xero = credentials
        let response = try await Principal.$current.withValue(.bootstrapOperator) { try await service.storeCredentials(request) }
        return try XCTUnwrap(UUID(uuidString: response.connection.connectionID))
    }

    /// What the row says of the access token's expiry, whatever the token itself says (a clock or a Xero that disagrees).
    func setAccessExpiry(_ tenant: UUID, _ connection: UUID, in seconds: TimeInterval) async throws {
        _ = try await database.withTenant(tenant) { tx in
            try await tx.query("""
                UPDATE connections SET access_expires_at = \(Date().addingTimeInterval(seconds)) WHERE tenant_id = \(tenant) AND id = \(connection)
                """)
        }
    }

    func setLastRefresh(_ tenant: UUID, _ connection: UUID, ago seconds: TimeInterval) async throws {
        _ = try await database.withTenant(tenant) { tx in
            try await tx.query("""
                UPDATE connections SET last_refresh_at = \(Date().addingTimeInterval(-seconds)) WHERE tenant_id = \(tenant) AND id = \(connection)
                """)
        }
    }

    func setStatus(_ tenant: UUID, _ connection: UUID, _ status: String) async throws {
        _ = try await database.withTenant(tenant) { tx in
            try await tx.query("UPDATE connections SET status = \(status) WHERE tenant_id = \(tenant) AND id = \(connection)")
        }
    }

    func row(_ tenant: UUID, _ connection: UUID) async throws -> (status: String, lastRefresh: Date?, lastError: String?) {
        try await database.withTenant(tenant, readOnly: true) { tx in
            let row = try await tx.query("SELECT status, last_refresh_at, last_error FROM connections WHERE tenant_id = \(tenant) AND id = \(connection)")[0]
            return (try row.decode(String.self, at: 0), try row.decode(Date?.self, at: 1), try row.decode(String?.self, at: 2))
        }
    }

    /// Calls the sandbox answered on an endpoint ("POST /connect/token") with a status.
    func calls(_ endpoint: String, status: Int = 200) -> Int {
        frontDoor.calls.snapshot[endpoint]?[status] ?? 0
    }

    var refreshes: Int { calls("POST /connect/token") }

    /// What the sync engine will do with the access it is handed: an Accounting API call,
    /// a 401 reported as `XeroTokenRejected`.
    func organisationName(_ access: XeroAPIAccess) async throws -> String {
        var request = HTTPClientRequest(url: base + "/api.xro/2.0/Organisation")
        request.headers.add(name: "authorization", value: "Bearer \(access.accessToken)")
        request.headers.add(name: "xero-tenant-id", value: access.organisationID)
        request.headers.add(name: "accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        if response.status.code == 401 { throw XeroTokenRejected() }
        XCTAssertEqual(response.status.code, 200)
        let json = try JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any]
        return ((json?["Organisations"] as? [[String: Any]])?.first?["Name"] as? String) ?? ""
    }
}
