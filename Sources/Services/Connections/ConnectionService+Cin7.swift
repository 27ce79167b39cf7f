import Connectors
import Foundation
import Postgres
import RPC
import RPCMessages
import Storage

/// Cin7 Core: the Account ID and Application Key are checked with a real call
/// (`GET /me`) before anything is stored; the key is sealed in the vault.
extension ConnectionService {
    func connectCin7(_ request: Ledgerbridge_V1_ConnectCin7CoreRequest) async throws -> Ledgerbridge_V1_ConnectCin7CoreResponse {
        let tenant = try TenantService.tenantID(request.tenantID)
        let caller = try Principal.requireAccess(to: tenant)
        let account = request.accountID.trimmingCharacters(in: .whitespaces)
        guard UUID(uuidString: account) != nil else { throw RPCError.invalidField("account_id", "must be the Cin7 Core Account ID (a GUID)") }
        let key = request.applicationKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 200 else { throw RPCError.invalidField("application_key", "must be the API Application Key") }

        let company: Cin7Client.Company
        do {
            company = try await cin7.verify(.init(accountID: account, applicationKey: key))
        } catch .invalidCredentials {
            throw RPCError.invalidField("application_key", "Cin7 Core refused this Account ID and Application Key")
        } catch .rateLimited(let seconds) {
            throw RPCError(.unavailable, "Cin7 Core's rate limit was reached; try again\(seconds.map { " in \($0) s" } ?? " shortly")")
        } catch {
            throw RPCError(.unavailable, error.description)
        }

        let row = try await database.withTenant(tenant) { tx in
            try await requireActive(tenant, in: tx)
            // One live Cin7 connection per tenant: new credentials replace the old ones.
            let existing = try await tx.query("SELECT id FROM connections WHERE tenant_id = \(tenant) AND provider = 'cin7' AND status <> 'revoked'")
            let id = try existing.first?.decode(UUID.self, at: 0) ?? UUID()
            if existing.isEmpty {
                try await tx.query("""
                    INSERT INTO connections (tenant_id, id, provider, status, external_id, external_name)
                    VALUES (\(tenant), \(id), 'cin7', 'connected', \(account.lowercased()), \(company.Company))
                    """)
            } else {
                try await tx.query("""
                    UPDATE connections SET status = 'connected', external_id = \(account.lowercased()), external_name = \(company.Company),
                        last_error = NULL, updated_at = now() WHERE tenant_id = \(tenant) AND id = \(id)
                    """)
            }
            try await vault.store([.applicationKey: key], connection: id, provider: "cin7", in: tx)
            try await TenantService.audit(tx, caller, "connection.cin7.connected", ["connection_id": id.lowercaseText, "account_id": account.lowercased()])
            return try await tx.query("SELECT \(unescaped: Self.columns) FROM connections WHERE tenant_id = \(tenant) AND id = \(id)")[0]
        }
        var response = Ledgerbridge_V1_ConnectCin7CoreResponse()
        response.connection = try Self.message(row)
        return response
    }
}
