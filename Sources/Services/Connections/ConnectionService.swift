import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// `ledgerbridge.v1.ConnectionService`: a tenant's connections to Xero and
/// Cin7 Core. Every call is tenant-scoped (RLS) and authorized for the caller;
/// secrets go into the credential vault and never come back out.
public struct ConnectionService: Sendable {
    public static let name = "ledgerbridge.v1.ConnectionService"
    /// How long a consent may take: the state expires after it.
    public static let stateLifetime: TimeInterval = 600

    let database: Database
    let vault: CredentialVault
    let xero: XeroIdentityClient
    let cin7: Cin7Client
    /// What a consent asks for unless BeginXeroConnection says otherwise (`--xero-scopes`).
    let scopes: XeroScopeSet
    /// When BeginXeroConnection last swept expired consents, so it sweeps at most once a minute.
    let sweeps = SweepThrottle(interval: .seconds(60))

    public init(database: Database, vault: CredentialVault, xero: XeroIdentityClient, cin7: Cin7Client, scopes: XeroScopeSet = .default) {
        self.database = database
        self.vault = vault
        self.xero = xero
        self.cin7 = cin7
        self.scopes = scopes
    }

    public func register(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/BeginXeroConnection") { (request: Ledgerbridge_V1_BeginXeroConnectionRequest, _) in
            try await beginXero(request)
        }
        registry.unary("/\(Self.name)/CompleteXeroConnection") { (request: Ledgerbridge_V1_CompleteXeroConnectionRequest, _) in
            var response = Ledgerbridge_V1_CompleteXeroConnectionResponse()
            response.connection = try await completeXero(state: request.state, code: request.code, caller: try Principal.required())
            return response
        }
        registry.unary("/\(Self.name)/ConnectCin7Core") { (request: Ledgerbridge_V1_ConnectCin7CoreRequest, _) in
            try await connectCin7(request)
        }
        registry.unary("/\(Self.name)/StoreCredentials") { (request: Ledgerbridge_V1_StoreCredentialsRequest, _) in
            try await storeCredentials(request)
        }
        registry.unary("/\(Self.name)/GetConnection") { (request: Ledgerbridge_V1_GetConnectionRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            guard let id = UUID(uuidString: request.connectionID) else { throw RPCError.invalidField("connection_id", "must be a UUID") }
            let rows = try await database.withTenant(tenant, readOnly: true) { tx in
                try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")
            }
            guard let row = rows.first else { throw RPCError(.notFound, "no connection \(id.lowercaseText)") }
            var response = Ledgerbridge_V1_GetConnectionResponse()
            response.connection = try Self.message(row)
            return response
        }
        registry.unary("/\(Self.name)/ListConnections") { (request: Ledgerbridge_V1_ListConnectionsRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            let revoked = request.includeRevoked
            let rows = try await database.withTenant(tenant, readOnly: true) { tx in
                try await tx.query("""
                    SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND (\(revoked) OR status <> 'revoked')
                    ORDER BY created_at, id
                    """)
            }
            var response = Ledgerbridge_V1_ListConnectionsResponse()
            response.connections = try rows.map(Self.message)
            return response
        }
        registerLifecycle(in: &registry)
        registerRefresh(in: &registry)
    }

    static let columns: StaticString = """
        id, tenant_id, provider, status, external_id, external_name, scopes, access_expires_at, last_refresh_at, last_error, created_at, updated_at
        """

    /// The wire form of `connections.status`.
    static func status(_ text: String) -> Ledgerbridge_V1_ConnectionStatus {
        switch text {
        case "pending": .pending
        case "connected": .connected
        case "needs_reauth": .needsReauth
        case "revoked": .revoked
        default: .error
        }
    }

    static func message(_ row: PostgresRow) throws -> Ledgerbridge_V1_Connection {
        var connection = Ledgerbridge_V1_Connection()
        connection.connectionID = try row.decode(UUID.self, named: "id").lowercaseText
        connection.tenantID = try row.decode(UUID.self, named: "tenant_id").lowercaseText
        connection.provider = try row.decode(String.self, named: "provider") == "xero" ? .xero : .cin7Core
        connection.status = status(try row.decode(String.self, named: "status"))
        connection.externalID = try row.decode(String?.self, named: "external_id") ?? ""
        connection.externalName = try row.decode(String?.self, named: "external_name") ?? ""
        connection.scopes = try row.decode([String].self, named: "scopes")
        if let at = try row.decode(Date?.self, named: "access_expires_at") { connection.accessExpiresAt = timestamp(at) }
        if let at = try row.decode(Date?.self, named: "last_refresh_at") { connection.lastRefreshAt = timestamp(at) }
        connection.lastError = try row.decode(String?.self, named: "last_error") ?? ""
        connection.createdAt = timestamp(try row.decode(Date.self, named: "created_at"))
        connection.updatedAt = timestamp(try row.decode(Date.self, named: "updated_at"))
        return connection
    }
}
