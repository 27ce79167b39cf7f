import Connectors
import Cryptography
import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// Xero: authorization code with PKCE (S256). Begin stores a random,
/// single-use state (as its hash) bound to the tenant and the connection, and
/// seals the PKCE verifier; Complete spends the state once, exchanges the
/// code, lists the organisations the consent covers, and seals the tokens.
extension ConnectionService {
    func beginXero(_ request: Ledgerbridge_V1_BeginXeroConnectionRequest) async throws -> Ledgerbridge_V1_BeginXeroConnectionResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        guard !xero.endpoints.clientID.isEmpty else {
            throw RPCError(.failedPrecondition, "no Xero app is configured on this server (LEDGERBRIDGE_XERO_CLIENT_ID)")
        }
        guard let redirect = URL(string: request.redirectUri), ["http", "https"].contains(redirect.scheme?.lowercased() ?? ""), redirect.host != nil,
              redirect.fragment == nil else {
            throw RPCError.invalidField("redirect_uri", "must be an absolute http(s) URL without a fragment, registered with the Xero app")
        }
        let consentScopes: XeroScopeSet
        if request.scopes.allSatisfy({ $0 == " " }) {
            consentScopes = scopes
        } else {
            do { consentScopes = try XeroScopeSet.parse(request.scopes) } catch { throw RPCError.invalidField("scopes", error.description) }
        }
        let state = Base64URL.encode(SecureRandom.bytes(32))
        let pkce = PKCE.generate()
        let expires = Date().addingTimeInterval(Self.stateLifetime)
        let connection = try await database.withTenant(tenant) { tx in
            try await TenantService.requireActive(tenant, in: tx)
            let live = try await tx.query("SELECT id, status FROM connections WHERE tenant_id = \(tenant) AND provider = 'xero' AND status <> 'revoked'")
            let id: UUID
            if let row = live.first {
                id = try row.decode(UUID.self, at: 0)
                if try row.decode(String.self, at: 1) == "connected" {
                    throw RPCError(.failedPrecondition, "tenant \(tenant.lowercaseText) is already connected to Xero; disconnect it first to connect another organisation")
                }
            } else {
                id = UUID()
                try await tx.query("INSERT INTO connections (tenant_id, id, provider, status) VALUES (\(tenant), \(id), 'xero', 'pending')")
            }
            try await vault.store([.pkceVerifier: pkce.verifier], connection: id, provider: "xero", in: tx)
            // The registry of states is a platform table; this insert rides in the tenant's transaction so both land together.
            try await tx.query("""
                INSERT INTO oauth_states (state_sha256, tenant_id, connection_id, redirect_uri, expires_at)
                VALUES (\(Data(Digest.sha256(Array(state.utf8)))), \(tenant), \(id), \(request.redirectUri), \(expires))
                """)
            try await TenantService.audit(tx, caller, "connection.xero.begun", ["connection_id": id.lowercaseText])
            return id
        }
        // Consents abandoned long ago are swept now and then on the way (the scheduler sweeps too).
        await sweepExpiredConsentsOccasionally()
        var response = Ledgerbridge_V1_BeginXeroConnectionResponse()
        response.authorizationURL = xero.authorizationURL(redirectURI: request.redirectUri, scopes: consentScopes.scopes, state: state, pkce: pkce)
        response.state = state
        response.expiresAt = timestamp(expires)
        response.connectionID = connection.lowercaseText
        return response
    }

    /// Finishes a consent. `caller` is nil on the callback route, where the
    /// state itself is the proof (it is random, single-use and expiring).
    func completeXero(state: String, code: String, caller: Principal?) async throws -> Ledgerbridge_V1_Connection {
        guard !state.isEmpty, state.count <= 200 else { throw RPCError.invalidField("state", "is missing") }
        guard !code.isEmpty, code.count <= 2000 else { throw RPCError.invalidField("code", "is missing") }
        let hash = Data(Digest.sha256(Array(state.utf8)))
        let found = try await database.withPlatform(readOnly: true) { tx in
            try await tx.query("SELECT tenant_id, connection_id, redirect_uri, expires_at, used_at FROM oauth_states WHERE state_sha256 = \(hash)")
        }
        guard let pending = found.first else { throw RPCError.invalidField("state", "is not one this server issued") }
        let tenant = try pending.decode(UUID.self, at: 0), connection = try pending.decode(UUID.self, at: 1)
        let redirect = try pending.decode(String.self, at: 2)
        // Another tenant's consent reads as unknown to this caller.
        if let caller, !caller.mayAct(on: tenant) { throw RPCError.invalidField("state", "is not one this server issued") }
        guard try pending.decode(Date?.self, at: 4) == nil else { throw RPCError(.failedPrecondition, "this consent was already completed; start a new one") }
        guard try pending.decode(Date.self, at: 3) > Date() else { throw RPCError(.failedPrecondition, "this consent expired; start a new one") }
        // Spend the state: exactly one completion wins even if two arrive at once.
        let spent = try await database.withPlatform { tx in
            try await tx.query("UPDATE oauth_states SET used_at = now() WHERE state_sha256 = \(hash) AND used_at IS NULL AND expires_at > now() RETURNING 1")
        }
        guard !spent.isEmpty else { throw RPCError(.failedPrecondition, "this consent was already completed; start a new one") }

        let verifier = try await database.withTenant(tenant, readOnly: true) { tx in
            try await vault.load(.pkceVerifier, connection: connection, provider: "xero", in: tx)
        }
        guard let verifier else { throw RPCError(.failedPrecondition, "this consent has no verifier left; start a new one") }
        let tokens: XeroTokenSet
        let organisations: [XeroTenantConnection]
        do {
            tokens = try await xero.exchange(code: code, verifier: verifier, redirectURI: redirect)
            organisations = try await xero.connections(accessToken: tokens.accessToken)
        } catch {
            try await record(error: error.description, tenant: tenant, connection: connection)
            switch error {
            case .invalidGrant: throw RPCError(.failedPrecondition, "Xero refused the code (expired, used, or the wrong verifier); start a new consent")
            case .invalidClient: throw RPCError(.failedPrecondition, "Xero refused this server's app credentials; check LEDGERBRIDGE_XERO_CLIENT_ID and _SECRET")
            default: throw RPCError(.unavailable, error.description)
            }
        }
        guard let refresh = tokens.refreshToken else {
            try await record(error: "no refresh token: the consent lacked offline_access", tenant: tenant, connection: connection)
            throw RPCError(.failedPrecondition, "Xero gave no refresh token: the app must ask for offline_access")
        }
        let organisationTenants = organisations.filter { $0.tenantType == "ORGANISATION" }
        let choices = organisationTenants.map { ["id": $0.tenantId, "name": $0.tenantName ?? ""] }
        let choicesJSON = String(decoding: (try? JSONSerialization.data(withJSONObject: choices, options: [.sortedKeys])) ?? Data("[]".utf8), as: UTF8.self)
        let only = organisationTenants.count == 1 ? organisationTenants[0] : nil
        let expires = Date().addingTimeInterval(TimeInterval(tokens.expiresIn))
        let row = try await database.withTenant(tenant) { tx in
            try await vault.store([.accessToken: tokens.accessToken, .refreshToken: refresh], connection: connection, provider: "xero", in: tx)
            try await vault.erase(connection: connection, fields: [.pkceVerifier, .previousRefreshToken], in: tx)
            try await tx.query("""
                UPDATE connections SET status = \(only == nil ? "pending" : "connected"), external_id = \(only?.tenantId), external_name = \(only?.tenantName),
                    scopes = \(tokens.scopes), access_expires_at = \(expires), last_refresh_at = now(), last_error = NULL,
                    organisation_choices = \(choicesJSON)::jsonb, updated_at = now()
                WHERE tenant_id = \(tenant) AND id = \(connection)
                """)
            // Reconnected: a pause the scheduler made for the lost consent ends.
            try await JobQueue(database: database).resumeAfterReauth(tenant: tenant, in: tx)
            try await TenantService.audit(tx, caller ?? .consentCallback, only == nil ? "connection.xero.awaiting_organisation" : "connection.xero.connected",
                                          ["connection_id": connection.lowercaseText, "organisation_id": only?.tenantId ?? "", "organisations": String(organisationTenants.count)])
            return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(connection)")[0]
        }
        return try Self.message(row)
    }

    /// Keeps the last failure on the connection (never a secret: these are our own descriptions).
    private func record(error: String, tenant: UUID, connection: UUID) async throws {
        _ = try await database.withTenant(tenant) { tx in
            try await tx.query("UPDATE connections SET last_error = \(error), updated_at = now() WHERE tenant_id = \(tenant) AND id = \(connection)")
        }
    }
}

extension Principal {
    /// Who completed a consent through the callback route: the user at Xero, vouched for by the state.
    static let consentCallback = Principal(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 2)), kind: .tenant, name: "Xero consent callback")
}
