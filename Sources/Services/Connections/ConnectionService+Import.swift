import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// `StoreCredentials`: credentials obtained elsewhere, imported write-only.
///
/// Nothing is stored before a real call proves it. Xero tokens must reach the
/// named organisation: `/connections` with the access token, or — when that
/// token is missing, expired or refused (401) — with one fresh from the
/// refresh token, which also proves the refresh token. They must belong to
/// this server's Xero app: a refresh token works only for the client it was
/// issued to. The imported credentials replace the tenant's live connection
/// to that provider; the old tokens are not revoked at Xero, because revoking
/// a refresh token ends the whole grant, and the imported tokens may well
/// belong to that same grant.
extension ConnectionService {
    func storeCredentials(_ request: Ledgerbridge_V1_StoreCredentialsRequest) async throws -> Ledgerbridge_V1_StoreCredentialsResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        var response = Ledgerbridge_V1_StoreCredentialsResponse()
        switch request.credentials {
        case .xero(let credentials)?:
            response.connection = try await importXero(credentials, tenant: tenant, caller: caller)
        case .cin7Core(let credentials)?:
            response.connection = try await storeCin7(tenant: tenant, caller: caller, accountID: credentials.accountID,
                                                      applicationKey: credentials.applicationKey,
                                                      fields: ("cin7_core.account_id", "cin7_core.application_key"), action: "connection.cin7.credentials_stored")
        case nil:
            throw RPCError.invalidField("credentials", "give xero or cin7_core")
        }
        return response
    }

    private struct VerifiedXero {
        var accessToken: String
        var refreshToken: String
        /// The refresh token given, when verifying rotated it (kept for Xero's grace period, as a refresh keeps it).
        var replacedRefreshToken: String?
        var expiresAt: Date?
        var scopes: [String]
        var organisationName: String?
    }

    private func importXero(_ given: Ledgerbridge_V1_XeroCredentials, tenant: UUID, caller: Principal) async throws -> Ledgerbridge_V1_Connection {
        guard !xero.endpoints.clientID.isEmpty else {
            throw RPCError(.failedPrecondition, "no Xero app is configured on this server (LEDGERBRIDGE_XERO_CLIENT_ID)")
        }
        let refreshToken = given.refreshToken.trimmingCharacters(in: .whitespaces)
        guard !refreshToken.isEmpty, refreshToken.utf8.count <= 4096 else {
            throw RPCError.invalidField("xero.refresh_token", "is required: without it the connection ends with its access token")
        }
        let accessToken = given.accessToken.trimmingCharacters(in: .whitespaces)
        guard accessToken.utf8.count <= 8192 else { throw RPCError.invalidField("xero.access_token", "is too long to be a Xero access token") }
        guard let organisationID = UUID(uuidString: given.organisationID)?.lowercaseText else {
            throw RPCError.invalidField("xero.organisation_id", "must be the Xero organisation's id (a UUID, what xero-tenant-id carries)")
        }
        let claims = XeroAccessTokenClaims(token: accessToken)
        let expiresAt = given.hasAccessExpiresAt ? given.accessExpiresAt.date : claims?.expiresAt
        let verified = try await verifyXero(access: accessToken, refresh: refreshToken, expiresAt: expiresAt, scopes: claims?.scopes ?? [],
                                            organisationID: organisationID)

        let row = try await database.withTenant(tenant) { tx in
            try await TenantService.requireActive(tenant, in: tx)
            // Tokens verified without a refresh say nothing of when their refresh token was last used:
            // last_refresh_at stays empty, so the first keep-alive refreshes it.
            let refreshedAt: Date? = verified.replacedRefreshToken == nil ? nil : Date()
            // One statement: two imports at once cannot both insert; a refresh holding the row is waited for.
            let id = try await tx.query("""
                INSERT INTO connections (tenant_id, id, provider, status, external_id, external_name, scopes, access_expires_at, last_refresh_at)
                VALUES (\(tenant), \(UUID()), 'xero', 'connected', \(organisationID), \(verified.organisationName), \(verified.scopes),
                        \(verified.expiresAt), \(refreshedAt))
                ON CONFLICT (tenant_id, provider) WHERE status <> 'revoked' DO UPDATE SET status = 'connected', external_id = excluded.external_id,
                    external_name = excluded.external_name, scopes = excluded.scopes, access_expires_at = excluded.access_expires_at,
                    last_refresh_at = excluded.last_refresh_at, last_error = NULL, organisation_choices = '[]'::jsonb, updated_at = now()
                RETURNING id
                """)[0].decode(UUID.self, at: 0)
            var secrets: [CredentialVault.Field: String] = [.accessToken: verified.accessToken, .refreshToken: verified.refreshToken]
            secrets[.previousRefreshToken] = verified.replacedRefreshToken
            try await vault.store(secrets, connection: id, provider: "xero", in: tx)
            try await vault.erase(connection: id, fields: verified.replacedRefreshToken == nil ? [.pkceVerifier, .previousRefreshToken] : [.pkceVerifier], in: tx)
            // A consent still in progress for this connection would overwrite what was just imported: it ends here.
            try await tx.query("UPDATE oauth_states SET used_at = now() WHERE tenant_id = \(tenant) AND connection_id = \(id) AND used_at IS NULL")
            // Reconnected: a pause the scheduler made for the lost consent ends.
            try await JobQueue(database: database).resumeAfterReauth(tenant: tenant, in: tx)
            try await TenantService.audit(tx, caller, "connection.xero.credentials_stored", [
                "connection_id": id.lowercaseText, "organisation_id": organisationID, "refreshed": String(verified.replacedRefreshToken != nil),
            ])
            return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
        }
        return try Self.message(row)
    }

    /// Proves the tokens reach the organisation; refreshes first when the access token cannot.
    private func verifyXero(access: String, refresh: String, expiresAt: Date?, scopes: [String], organisationID: String) async throws -> VerifiedXero {
        var current = VerifiedXero(accessToken: access, refreshToken: refresh, replacedRefreshToken: nil, expiresAt: expiresAt, scopes: scopes,
                                   organisationName: nil)
        var organisations: [XeroTenantConnection]?
        if !access.isEmpty, (expiresAt ?? .distantFuture) > Date() {
            do {
                organisations = try await xero.connections(accessToken: access)
            } catch .unauthorized {
                organisations = nil  // expired or revoked after all: the refresh token decides
            } catch {
                throw Self.importFailure(error)
            }
        }
        if organisations == nil {
            let tokens: XeroTokenSet
            do {
                tokens = try await xero.refresh(refreshToken: refresh)
            } catch .invalidGrant {
                throw RPCError(.failedPrecondition, "Xero refused the refresh token (invalid_grant): it is expired, revoked, already rotated, or issued to another Xero app")
            } catch {
                throw Self.importFailure(error)
            }
            current.accessToken = tokens.accessToken
            current.refreshToken = tokens.refreshToken ?? refresh
            current.replacedRefreshToken = tokens.refreshToken == nil ? nil : refresh
            current.expiresAt = Date().addingTimeInterval(TimeInterval(tokens.expiresIn))
            if !tokens.scopes.isEmpty { current.scopes = tokens.scopes }
            do {
                organisations = try await xero.connections(accessToken: tokens.accessToken)
            } catch {
                throw Self.importFailure(error)
            }
        }
        let listed = (organisations ?? []).filter { $0.tenantType == "ORGANISATION" }
        guard let match = listed.first(where: { $0.tenantId.lowercased() == organisationID }) else {
            // Nothing is stored; a refresh token rotated on the way stays usable for Xero's grace period only.
            throw RPCError(.failedPrecondition, "organisation \(organisationID) is not among the \(listed.count) organisation(s) these tokens reach")
        }
        current.organisationName = match.tenantName
        return current
    }

    private static func importFailure(_ error: XeroIdentityError) -> RPCError {
        switch error {
        case .invalidClient:
            RPCError(.failedPrecondition, "Xero refused this server's app credentials; check LEDGERBRIDGE_XERO_CLIENT_ID and _SECRET")
        case .unauthorized:
            RPCError(.failedPrecondition, "Xero refused the access token (401) even after a refresh")
        case .invalidGrant:
            RPCError(.failedPrecondition, "Xero refused the refresh token (invalid_grant)")
        case .unexpected, .transport:
            RPCError(.unavailable, "could not verify the tokens with Xero: \(error.description)")
        }
    }
}
