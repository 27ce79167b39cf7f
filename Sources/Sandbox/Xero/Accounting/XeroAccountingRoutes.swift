import Foundation

/// The Accounting API under `/api.xro/2.0`: every call passes the gate (bearer
/// token, `xero-tenant-id`, JSON only, rate limits, idempotency) and then
/// reaches the organisation's books.
struct XeroAccountingRoutes: Sendable {
    let identity: XeroIdentityStore
    let books: [UUID: XeroBooks]
    let limits: XeroRateLimits
    let idempotency: XeroIdempotency
    static let prefix = "/api.xro/2.0"

    func register(in router: inout SandboxRouter) {
        route(&router, "GET", "/Contacts") { books, request in await books.listContacts(request) }
        route(&router, "GET", "/Contacts/{ContactID}") { books, request in await books.getContact(request.parameter("ContactID")) }
        route(&router, "PUT", "/Contacts") { books, request in await books.saveContacts(request, createOnly: true) }
        route(&router, "POST", "/Contacts") { books, request in await books.saveContacts(request, createOnly: false) }
        route(&router, "POST", "/Contacts/{ContactID}") { books, request in
            guard let id = UUID(uuidString: request.parameter("ContactID")) else { return XeroProblem.notFound() }
            return await books.saveContacts(request, createOnly: false, pathID: id)
        }
    }

    private func route(_ router: inout SandboxRouter, _ method: String, _ path: String,
                       _ handler: @escaping @Sendable (XeroBooks, SandboxRequest) async -> SandboxResponse) {
        router.add(method, Self.prefix + path) { request in await gate(request, handler) }
    }

    /// Xero's order: token (401), tenant (403), then limits (429), then the call.
    private func gate(_ request: SandboxRequest, _ handler: @escaping @Sendable (XeroBooks, SandboxRequest) async -> SandboxResponse) async -> SandboxResponse {
        let grant: XeroIdentityStore.Grant
        switch await XeroBearer.caller(request, store: identity) {
        case .success(let value): grant = value
        case .failure(let failure): return failure.response
        }
        guard let tenant = request.header("xero-tenant-id").flatMap(UUID.init(uuidString:)),
              grant.tenants.contains(tenant), let books = books[tenant] else { return XeroProblem.forbidden() }
        guard Self.acceptsJSON(request) else {
            return .text(406, "This sandbox answers JSON only: send Accept: application/json (Xero would answer XML).")
        }
        return await limits.around(tenant: tenant.uuidString, clientID: grant.clientID) {
            guard request.method == "PUT" || request.method == "POST", let key = request.header("idempotency-key") else {
                return await handler(books, request)
            }
            return await idempotency.run(key: key, clientID: grant.clientID, request: request) { await handler(books, request) }
        }
    }

    static func acceptsJSON(_ request: SandboxRequest) -> Bool {
        guard let accept = request.header("accept")?.lowercased() else { return false }
        return accept.contains("application/json") || accept.contains("*/*") && !accept.contains("xml")
    }
}
