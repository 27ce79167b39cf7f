import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// Refreshing a Xero connection's tokens, safely across processes.
///
/// The refresh runs under a row lock on the connection (`SELECT … FOR
/// UPDATE`), so one process at a time rotates a connection's refresh token.
/// After the lock, the row is read again: if another process refreshed while
/// this one waited, its result is used instead of rotating again. The new
/// tokens are committed (sealed) before anyone uses the new access token. A
/// lost answer is retried once with the same refresh token, which Xero keeps
/// valid for its grace period. `invalid_grant` marks the connection
/// `needs_reauth` with an audit event, instead of failing forever.
extension ConnectionService {
    public enum RefreshOutcome: Sendable, Equatable {
        case refreshed
        /// Another caller refreshed while this one waited for the lock.
        case alreadyFresh
        /// Xero refused the refresh token: the connection is now `needs_reauth`.
        case needsReauth
    }

    func registerRefresh(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/RefreshConnection") { (request: Ledgerbridge_V1_RefreshConnectionRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            let caller = try Principal.requireAccess(to: tenant)
            guard let id = UUID(uuidString: request.connectionID) else { throw RPCError.invalidField("connection_id", "must be a UUID") }
            if try await refresh(tenant: tenant, connection: id, caller: caller, force: true) == .needsReauth {
                throw RPCError(.failedPrecondition, "Xero refused the stored refresh token; the connection needs a new consent (BeginXeroConnection)")
            }
            let row = try await database.withTenant(tenant, readOnly: true) { tx in
                try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
            }
            var response = Ledgerbridge_V1_RefreshConnectionResponse()
            response.connection = try Self.message(row)
            return response
        }
    }

    /// Refreshes when forced, or when the access token expires within `ahead`;
    /// with `lastRefreshOlderThan` (the keep-alive), only when the last refresh
    /// is older than that, whatever the expiry — decided under the row lock, so
    /// two processes keeping the same connection alive refresh it once.
    public func refresh(tenant: UUID, connection: UUID, caller: Principal, force: Bool, ahead: TimeInterval = 300,
                        lastRefreshOlderThan age: TimeInterval? = nil) async throws -> RefreshOutcome {
        // One attempt only: the body talks to Xero, so it must not be replayed by a retry loop.
        return try await database.withTenant(tenant, maxAttempts: 1) { tx in
            // What "fresh" means for this call: refreshed after it began, i.e. before it waited for the lock.
            let began = try await tx.query("SELECT clock_timestamp()")[0].decode(Date.self, at: 0)
            let rows = try await tx.query("""
                SELECT provider, status, access_expires_at, last_refresh_at FROM connections
                WHERE tenant_id = \(tenant) AND id = \(connection) FOR UPDATE
                """)
            guard let row = rows.first else { throw RPCError(.notFound, "no connection \(connection.lowercaseText)") }
            guard try row.decode(String.self, at: 0) == "xero" else { throw RPCError(.failedPrecondition, "only Xero connections have tokens to refresh") }
            let status = try row.decode(String.self, at: 1)
            guard status == "connected" || status == "pending" else {
                throw RPCError(.failedPrecondition, "the connection is \(status); it needs a new consent")
            }
            let expires = try row.decode(Date?.self, at: 2), last = try row.decode(Date?.self, at: 3)
            if let last, last >= began { return .alreadyFresh }
            if let age {
                if let last, -last.timeIntervalSinceNow < age { return .alreadyFresh }
            } else if !force, let expires, expires.timeIntervalSinceNow > ahead {
                return .alreadyFresh
            }
            guard let refreshToken = try await vault.load(.refreshToken, connection: connection, provider: "xero", in: tx) else {
                throw RPCError(.failedPrecondition, "the connection has no refresh token; it needs a new consent")
            }
            let outcome: Result<XeroTokenSet, XeroIdentityError>
            do throws(XeroIdentityError) {
                outcome = .success(try await refreshOnce(refreshToken))
            } catch {
                outcome = .failure(error)
            }
            let tokens: XeroTokenSet
            switch outcome {
            case .success(let fresh):
                tokens = fresh
            case .failure(.invalidGrant):
                try await tx.query("""
                    UPDATE connections SET status = 'needs_reauth', last_error = 'Xero refused the refresh token (invalid_grant): a new consent is needed',
                        updated_at = now() WHERE tenant_id = \(tenant) AND id = \(connection)
                    """)
                try await TenantService.audit(tx, caller, "connection.xero.refresh_failed", ["connection_id": connection.lowercaseText, "reason": "invalid_grant"])
                return .needsReauth
            case .failure(let error):
                throw RPCError(.unavailable, "could not refresh at Xero: \(error.description)")
            }
            var secrets: [CredentialVault.Field: String] = [.accessToken: tokens.accessToken, .previousRefreshToken: refreshToken]
            if let rotated = tokens.refreshToken { secrets[.refreshToken] = rotated }
            try await vault.store(secrets, connection: connection, provider: "xero", in: tx)
            try await tx.query("""
                UPDATE connections SET access_expires_at = \(Date().addingTimeInterval(TimeInterval(tokens.expiresIn))), last_refresh_at = clock_timestamp(),
                    last_error = NULL, updated_at = now() WHERE tenant_id = \(tenant) AND id = \(connection)
                """)
            return .refreshed
        }
    }

    /// One refresh, and once more with the same token if the answer was lost
    /// (inside Xero's grace period the old token still works).
    private func refreshOnce(_ refreshToken: String) async throws(XeroIdentityError) -> XeroTokenSet {
        do {
            return try await xero.refresh(refreshToken: refreshToken)
        } catch .transport {
            return try await xero.refresh(refreshToken: refreshToken)
        }
    }
}
