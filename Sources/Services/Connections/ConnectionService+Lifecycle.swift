import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// After the consent: choosing among several organisations, and disconnecting.
extension ConnectionService {
    func registerLifecycle(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/ListXeroOrganisations") { (request: Ledgerbridge_V1_ListXeroOrganisationsRequest, _) in
            let (tenant, id, _) = try ids(request.tenantID, request.connectionID)
            let choices = try await database.withTenant(tenant, readOnly: true) { tx in try await Self.choices(tenant, id, in: tx) }
            var response = Ledgerbridge_V1_ListXeroOrganisationsResponse()
            response.organisations = choices.map { choice in
                var organisation = Ledgerbridge_V1_XeroOrganisation()
                (organisation.organisationID, organisation.name) = (choice.id, choice.name)
                return organisation
            }
            return response
        }
        registry.unary("/\(Self.name)/SelectXeroOrganisation") { (request: Ledgerbridge_V1_SelectXeroOrganisationRequest, _) in
            let (tenant, id, caller) = try ids(request.tenantID, request.connectionID)
            let row = try await database.withTenant(tenant) { tx in
                let status = try await tx.query("SELECT status FROM connections WHERE tenant_id = \(tenant) AND id = \(id) AND provider = 'xero' FOR UPDATE")
                guard let current = try status.first?.decode(String.self, at: 0) else { throw RPCError(.notFound, "no Xero connection \(id.lowercaseText)") }
                guard current == "pending" else { throw RPCError(.failedPrecondition, "the connection is \(current), not waiting for an organisation") }
                guard let choice = try await Self.choices(tenant, id, in: tx).first(where: { $0.id == request.organisationID }) else {
                    throw RPCError.invalidField("organisation_id", "is not one of the organisations this consent covers (ListXeroOrganisations)")
                }
                try await tx.query("""
                    UPDATE connections SET status = 'connected', external_id = \(choice.id), external_name = \(choice.name),
                        organisation_choices = '[]'::jsonb, updated_at = now() WHERE tenant_id = \(tenant) AND id = \(id)
                    """)
                // Reconnected: a pause the scheduler made for the lost consent ends.
                try await JobQueue(database: database).resumeAfterReauth(tenant: tenant, in: tx)
                try await TenantService.audit(tx, caller, "connection.xero.connected", ["connection_id": id.lowercaseText, "organisation_id": choice.id])
                return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
            }
            var response = Ledgerbridge_V1_SelectXeroOrganisationResponse()
            response.connection = try Self.message(row)
            return response
        }
        registry.unary("/\(Self.name)/Disconnect") { (request: Ledgerbridge_V1_DisconnectRequest, _) in
            var response = Ledgerbridge_V1_DisconnectResponse()
            response.connection = try await disconnect(request.tenantID, request.connectionID)
            return response
        }
    }

    private func ids(_ tenantText: String, _ connectionText: String) throws -> (UUID, UUID, Principal) {
        let tenant = try TenantService.tenantID(tenantText)
        let caller = try Principal.requireAccess(to: tenant)
        guard let id = UUID(uuidString: connectionText) else { throw RPCError.invalidField("connection_id", "must be a UUID") }
        return (tenant, id, caller)
    }

    static func choices(_ tenant: UUID, _ id: UUID, in tx: TenantTransaction) async throws -> [(id: String, name: String)] {
        let rows = try await tx.query("SELECT organisation_choices::text FROM connections WHERE tenant_id = \(tenant) AND id = \(id) AND provider = 'xero'")
        guard let text = try rows.first?.decode(String.self, at: 0) else { throw RPCError(.notFound, "no Xero connection \(id.lowercaseText)") }
        let list = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: String]] ?? []
        return list.compactMap { entry in entry["id"].map { ($0, entry["name"] ?? "") } }
    }

    /// Xero: the refresh token is revoked at Xero first (a failure to reach
    /// Xero changes nothing here, so it can be retried); then the secrets are
    /// erased and the connection kept as REVOKED history. Cin7 Core keys are
    /// revoked in Cin7's own portal: here they are erased.
    func disconnect(_ tenantText: String, _ connectionText: String) async throws -> Ledgerbridge_V1_Connection {
        let (tenant, id, caller) = try ids(tenantText, connectionText)
        let (provider, refresh) = try await database.withTenant(tenant, readOnly: true) { tx in
            let rows = try await tx.query("SELECT provider, status FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")
            guard let row = rows.first else { throw RPCError(.notFound, "no connection \(id.lowercaseText)") }
            let provider = try row.decode(String.self, at: 0)
            let refresh = provider == "xero" ? try await vault.load(.refreshToken, connection: id, provider: provider, in: tx) : nil
            return (provider, refresh)
        }
        if let refresh {
            do {
                try await xero.revoke(refreshToken: refresh)
            } catch .invalidGrant {
                // Already dead at Xero: nothing left to revoke.
            } catch {
                throw RPCError(.unavailable, "could not revoke at Xero (\(error.description)); nothing was changed, try again")
            }
        }
        let row = try await database.withTenant(tenant) { tx in
            try await vault.erase(connection: id, in: tx)
            try await tx.query("""
                UPDATE connections SET status = 'revoked', access_expires_at = NULL, organisation_choices = '[]'::jsonb, updated_at = now()
                WHERE tenant_id = \(tenant) AND id = \(id)
                """)
            try await TenantService.audit(tx, caller, "connection.\(provider).disconnected", ["connection_id": id.lowercaseText])
            return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
        }
        return try Self.message(row)
    }
}
