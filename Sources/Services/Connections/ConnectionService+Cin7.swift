import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// Cin7 Core: the Account ID and Application Key are checked with a real call
/// (`GET /me`) before anything is stored; the key is sealed in the vault.
extension ConnectionService {
    func connectCin7(_ request: Ledgerbridge_V1_ConnectCin7CoreRequest) async throws -> Ledgerbridge_V1_ConnectCin7CoreResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        var response = Ledgerbridge_V1_ConnectCin7CoreResponse()
        response.connection = try await storeCin7(tenant: tenant, caller: caller, accountID: request.accountID, applicationKey: request.applicationKey,
                                                  fields: ("account_id", "application_key"), action: "connection.cin7.connected")
        return response
    }

    /// Verifies, then creates or replaces the tenant's live Cin7 connection.
    /// `fields` name the request's fields in errors; `action` is the audit event.
    func storeCin7(tenant: UUID, caller: Principal, accountID: String, applicationKey: String,
                   fields: (account: String, key: String), action: String) async throws -> Ledgerbridge_V1_Connection {
        let account = accountID.trimmingCharacters(in: .whitespaces)
        guard UUID(uuidString: account) != nil else { throw RPCError.invalidField(fields.account, "must be the Cin7 Core Account ID (a GUID)") }
        let key = applicationKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 200 else { throw RPCError.invalidField(fields.key, "must be the API Application Key") }

        let company: Cin7Client.Company
        do {
            company = try await cin7.verify(.init(accountID: account, applicationKey: key))
        } catch .invalidCredentials {
            throw RPCError.invalidField(fields.key, "Cin7 Core refused this Account ID and Application Key")
        } catch .rateLimited(let seconds) {
            throw RPCError(.unavailable, "Cin7 Core's rate limit was reached; try again\(seconds.map { " in \($0) s" } ?? " shortly")")
        } catch {
            throw RPCError(.unavailable, error.description)
        }

        let row = try await database.withTenant(tenant) { tx in
            try await TenantService.requireActive(tenant, in: tx)
            // One live Cin7 connection per tenant: new credentials replace the old ones (in one statement, so two at once cannot both insert).
            let id = try await tx.query("""
                INSERT INTO connections (tenant_id, id, provider, status, external_id, external_name)
                VALUES (\(tenant), \(UUID()), 'cin7', 'connected', \(account.lowercased()), \(company.Company))
                ON CONFLICT (tenant_id, provider) WHERE status <> 'revoked' DO UPDATE SET status = 'connected', external_id = excluded.external_id,
                    external_name = excluded.external_name, last_error = NULL, updated_at = now()
                RETURNING id
                """)[0].decode(UUID.self, at: 0)
            try await vault.store([.applicationKey: key], connection: id, provider: "cin7", in: tx)
            // Reconnected: a pause the scheduler made for the lost consent ends.
            try await JobQueue(database: database).resumeAfterReauth(tenant: tenant, in: tx)
            try await TenantService.audit(tx, caller, action, ["connection_id": id.lowercaseText, "account_id": account.lowercased()])
            return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
        }
        return try Self.message(row)
    }
}
