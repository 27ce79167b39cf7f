import Connectors
import Foundation
import Postgres
import RPC
import Storage

/// What a sync needs to call Xero's accounting API: the bearer token and the
/// organisation (`xero-tenant-id`). The description never shows the token.
public struct XeroAPIAccess: Sendable, CustomStringConvertible {
    public let connectionID: UUID
    public let accessToken: String
    public let organisationID: String
    public let accessExpiresAt: Date?

    public var description: String {
        "XeroAPIAccess(connection: \(connectionID.uuidString.lowercased()), organisation: \(organisationID), token: \(accessToken.utf8.count) bytes)"
    }
}

/// Handing a connection's credentials to the code that calls the providers
/// (the sync engine), so that it never manages tokens itself.
///
/// `withXero` refreshes ahead of expiry (through `refresh`, so under the row
/// lock, single flight across processes) and, when the body reports a 401 by
/// throwing `XeroTokenRejected` (or the connectors' `.unauthorized`),
/// force-refreshes exactly once and runs the body once more: a token Xero
/// refuses twice is an error, never a loop. Only CONNECTED connections are
/// handed out; NEEDS_REAUTH comes back as `ConnectionAccessError.needsReauth`,
/// which the scheduler turns into a paused tenant.
extension ConnectionService {
    /// Refreshes ahead by default: a sync's calls should not meet an expiring token.
    public static let refreshAhead: TimeInterval = 300

    public func withXero<Result: Sendable>(tenant: UUID, connection: UUID, refreshAhead ahead: TimeInterval = refreshAhead,
                                           _ body: (XeroAPIAccess) async throws -> Result) async throws -> Result {
        var access = try await loadXeroAccess(tenant: tenant, connection: connection)
        if access.accessToken.isEmpty || (access.accessExpiresAt.map { $0.timeIntervalSinceNow <= ahead } ?? true) {
            try await refreshForAccess(tenant: tenant, connection: connection, force: false, ahead: ahead)
            access = try await loadXeroAccess(tenant: tenant, connection: connection)
        }
        do {
            return try await body(access)
        } catch where Self.isTokenRejection(error) {
            // Revoked or expired early at Xero: one refresh, one more try.
            try await refreshForAccess(tenant: tenant, connection: connection, force: true, ahead: ahead)
        }
        access = try await loadXeroAccess(tenant: tenant, connection: connection)
        do {
            return try await body(access)
        } catch where Self.isTokenRejection(error) {
            let message = "Xero refused an access token refreshed just before (401)"
            _ = try? await database.withTenant(tenant) { tx in
                try await tx.query("UPDATE connections SET last_error = \(message), updated_at = now() WHERE tenant_id = \(tenant) AND id = \(connection)")
            }
            throw ConnectionAccessError(.tokenRejected, connection: connection, message)
        }
    }

    /// The Cin7 Core Account ID and Application Key of a connected Cin7 connection.
    public func withCin7<Result: Sendable>(tenant: UUID, connection: UUID,
                                           _ body: (Cin7Client.Credentials) async throws -> Result) async throws -> Result {
        let credentials = try await access(tenant: tenant, connection: connection) { tx throws -> Cin7Client.Credentials in
            let rows = try await tx.query("SELECT provider, status, external_id FROM connections WHERE tenant_id = \(tenant) AND id = \(connection)")
            let (account, _) = try Self.requireConnected(rows.first, provider: "cin7", connection: connection)
            guard let key = try await vault.load(.applicationKey, connection: connection, provider: "cin7", in: tx) else {
                throw ConnectionAccessError(.notConnected, connection: connection, "the Cin7 Core connection has no Application Key stored")
            }
            return Cin7Client.Credentials(accountID: account, applicationKey: key)
        }
        return try await body(credentials)
    }

    static func isTokenRejection(_ error: any Error) -> Bool {
        error is XeroTokenRejected || (error as? XeroIdentityError) == .unauthorized
    }

    private func loadXeroAccess(tenant: UUID, connection: UUID) async throws -> XeroAPIAccess {
        try await access(tenant: tenant, connection: connection) { tx in
            let rows = try await tx.query("""
                SELECT provider, status, external_id, access_expires_at FROM connections WHERE tenant_id = \(tenant) AND id = \(connection)
                """)
            let (organisation, row) = try Self.requireConnected(rows.first, provider: "xero", connection: connection)
            let token = try await vault.load(.accessToken, connection: connection, provider: "xero", in: tx) ?? ""
            return XeroAPIAccess(connectionID: connection, accessToken: token, organisationID: organisation,
                                 accessExpiresAt: try row.decode(Date?.self, at: 3))
        }
    }

    /// The external id of a connected connection of `provider`, or the error saying why not.
    private static func requireConnected(_ row: PostgresRow?, provider: String, connection: UUID) throws -> (String, PostgresRow) {
        guard let row else { throw ConnectionAccessError(.notFound, connection: connection, "no such connection") }
        guard try row.decode(String.self, at: 0) == provider else {
            throw ConnectionAccessError(.notConnected, connection: connection, "not a \(provider == "xero" ? "Xero" : "Cin7 Core") connection")
        }
        switch try row.decode(String.self, at: 1) {
        case "connected":
            guard let external = try row.decode(String?.self, at: 2), !external.isEmpty else {
                throw ConnectionAccessError(.notConnected, connection: connection, "the connection has no organisation or account")
            }
            return (external, row)
        case "needs_reauth":
            throw ConnectionAccessError(.needsReauth, connection: connection, "the provider refused the stored grant; the connection needs a new consent")
        case let status:
            throw ConnectionAccessError(.notConnected, connection: connection, "the connection is \(status), not connected")
        }
    }

    /// A read in the tenant's scope, with database trouble reported as `unavailable`.
    private func access<R: Sendable>(tenant: UUID, connection: UUID, _ body: @Sendable @escaping (TenantTransaction) async throws -> R) async throws -> R {
        do {
            return try await database.withTenant(tenant, readOnly: true, body)
        } catch let error as ConnectionAccessError {
            throw error
        } catch let error as PostgresError {
            throw ConnectionAccessError(.unavailable, connection: connection, "the database could not be read: \(error)")
        }
    }

    /// `refresh` for a sync: its outcomes and RPC errors as `ConnectionAccessError`s.
    private func refreshForAccess(tenant: UUID, connection: UUID, force: Bool, ahead: TimeInterval) async throws {
        let outcome: RefreshOutcome
        do {
            outcome = try await refresh(tenant: tenant, connection: connection, caller: .tokenUpkeep, force: force, ahead: ahead)
        } catch let error as RPCError {
            switch error.code {
            case .notFound: throw ConnectionAccessError(.notFound, connection: connection, "no such connection")
            case .unavailable: throw ConnectionAccessError(.unavailable, connection: connection, error.message)
            default:
                // The connection changed under us (revoked, needs a consent): say which.
                _ = try await loadXeroAccess(tenant: tenant, connection: connection)
                throw ConnectionAccessError(.notConnected, connection: connection, error.message)
            }
        }
        if outcome == .needsReauth {
            throw ConnectionAccessError(.needsReauth, connection: connection, "Xero refused the refresh token (invalid_grant); the connection needs a new consent")
        }
    }
}

extension Principal {
    /// The server itself refreshing tokens for a sync or a keep-alive, as the audit log names it.
    public static let tokenUpkeep = Principal(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 3)), kind: .operator,
                                              name: "token upkeep")
}
