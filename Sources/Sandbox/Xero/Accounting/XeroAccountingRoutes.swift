import Foundation

/// The Accounting API under `/api.xro/2.0`: every call passes the gate (bearer
/// token, `xero-tenant-id`, JSON only, rate limits, idempotency) and then
/// reaches the organisation's books.
struct XeroAccountingRoutes: Sendable {
    let identity: XeroIdentityStore
    let books: [UUID: XeroBooks]
    let limits: XeroRateLimits
    let idempotency: XeroIdempotency
    let webhooks: XeroWebhookSender
    /// Each organisation under the spellings of its id clients send (as Foundation
    /// prints it, and lower-case), and the rate limiters' key for it: looked up per
    /// call instead of parsing and printing a UUID each time.
    let tenants: [String: (id: UUID, key: String)]
    static let prefix = "/api.xro/2.0"

    init(identity: XeroIdentityStore, books: [UUID: XeroBooks], limits: XeroRateLimits, idempotency: XeroIdempotency, webhooks: XeroWebhookSender) {
        self.identity = identity
        self.books = books
        self.limits = limits
        self.idempotency = idempotency
        self.webhooks = webhooks
        var tenants: [String: (id: UUID, key: String)] = [:]
        for id in books.keys {
            tenants[id.uuidString] = (id, id.uuidString)
            tenants[id.uuidString.lowercased()] = (id, id.uuidString)
        }
        self.tenants = tenants
    }

    func register(in router: inout SandboxRouter) {
        route(&router, "GET", "/Contacts") { books, request in await books.listContacts(request) }
        route(&router, "GET", "/Contacts/{ContactID}") { books, request in await books.getContact(request.parameter("ContactID")) }
        route(&router, "PUT", "/Contacts") { books, request in await books.saveContacts(request, createOnly: true) }
        route(&router, "POST", "/Contacts") { books, request in await books.saveContacts(request, createOnly: false) }
        route(&router, "POST", "/Contacts/{ContactID}") { books, request in
            guard let id = UUID(uuidString: request.parameter("ContactID")) else { return XeroProblem.notFound() }
            return await books.saveContacts(request, createOnly: false, pathID: id)
        }

        route(&router, "GET", "/Accounts") { books, request in await books.listAccounts(request) }
        route(&router, "PUT", "/Accounts") { books, request in await books.createAccount(request) }
        route(&router, "GET", "/Accounts/{AccountID}") { books, request in await books.getAccount(request.parameter("AccountID")) }
        route(&router, "POST", "/Accounts/{AccountID}") { books, request in await books.updateAccount(request, key: request.parameter("AccountID")) }
        route(&router, "DELETE", "/Accounts/{AccountID}") { books, request in await books.deleteAccount(request.parameter("AccountID")) }

        route(&router, "GET", "/TaxRates") { books, request in await books.listTaxRates(request) }
        route(&router, "GET", "/TaxRates/{TaxType}") { books, request in await books.getTaxRate(request.parameter("TaxType")) }
        route(&router, "PUT", "/TaxRates") { books, request in await books.saveTaxRates(request, createOnly: true) }
        route(&router, "POST", "/TaxRates") { books, request in await books.saveTaxRates(request, createOnly: false) }

        route(&router, "GET", "/Items") { books, request in await books.listItems(request) }
        route(&router, "GET", "/Items/{ItemID}") { books, request in await books.getItem(request.parameter("ItemID"), request) }
        route(&router, "PUT", "/Items") { books, request in await books.saveItems(request, createOnly: true) }
        route(&router, "POST", "/Items") { books, request in await books.saveItems(request, createOnly: false) }
        route(&router, "POST", "/Items/{ItemID}") { books, request in await books.saveItems(request, createOnly: false, pathKey: request.parameter("ItemID")) }
        route(&router, "DELETE", "/Items/{ItemID}") { books, request in await books.deleteItem(request.parameter("ItemID")) }

        let category = "/TrackingCategories/{TrackingCategoryID}"
        route(&router, "GET", "/TrackingCategories") { books, request in await books.listTrackingCategories(request) }
        route(&router, "PUT", "/TrackingCategories") { books, request in await books.saveTrackingCategory(request, key: nil) }
        route(&router, "GET", category) { books, request in await books.getTrackingCategory(request.parameter("TrackingCategoryID")) }
        route(&router, "POST", category) { books, request in await books.saveTrackingCategory(request, key: request.parameter("TrackingCategoryID")) }
        route(&router, "DELETE", category) { books, request in await books.deleteTrackingCategory(request.parameter("TrackingCategoryID")) }
        route(&router, "PUT", category + "/Options") { books, request in
            await books.saveTrackingOption(request, categoryKey: request.parameter("TrackingCategoryID"), optionKey: nil)
        }
        route(&router, "POST", category + "/Options/{TrackingOptionID}") { books, request in
            await books.saveTrackingOption(request, categoryKey: request.parameter("TrackingCategoryID"), optionKey: request.parameter("TrackingOptionID"))
        }
        route(&router, "DELETE", category + "/Options/{TrackingOptionID}") { books, request in
            await books.deleteTrackingOption(categoryKey: request.parameter("TrackingCategoryID"), optionKey: request.parameter("TrackingOptionID"))
        }

        documentRoutes(&router, InvoiceKind.self)
        documentRoutes(&router, CreditNoteKind.self)
        let allocations = "/CreditNotes/{CreditNoteID}/Allocations"
        route(&router, "PUT", allocations) { books, request in await books.allocateCreditNote(request, key: request.parameter("CreditNoteID")) }
        route(&router, "DELETE", allocations + "/{AllocationID}") { books, request in
            await books.deleteAllocation(noteKey: request.parameter("CreditNoteID"), allocationKey: request.parameter("AllocationID"))
        }

        route(&router, "GET", "/Payments") { books, request in await books.listPayments(request) }
        route(&router, "GET", "/Payments/{PaymentID}") { books, request in await books.getPayment(request.parameter("PaymentID")) }
        route(&router, "PUT", "/Payments") { books, request in await books.savePayments(request) }
        route(&router, "POST", "/Payments") { books, request in await books.savePayments(request) }
        route(&router, "POST", "/Payments/{PaymentID}") { books, request in await books.updatePayment(request, key: request.parameter("PaymentID")) }

        let bankTransaction = "/BankTransactions/{BankTransactionID}"
        route(&router, "GET", "/BankTransactions") { books, request in await books.listBankTransactions(request) }
        route(&router, "GET", bankTransaction) { books, request in await books.getBankTransaction(request.parameter("BankTransactionID"), request) }
        route(&router, "PUT", "/BankTransactions") { books, request in await books.saveBankTransactions(request, createOnly: true) }
        route(&router, "POST", "/BankTransactions") { books, request in await books.saveBankTransactions(request, createOnly: false) }
        route(&router, "POST", bankTransaction) { books, request in
            await books.saveBankTransactions(request, createOnly: false, pathKey: request.parameter("BankTransactionID"))
        }
        creditBalanceRoutes(&router, PrepaymentKind.self)
        creditBalanceRoutes(&router, OverpaymentKind.self)

        let journal = "/ManualJournals/{ManualJournalID}"
        route(&router, "GET", "/ManualJournals") { books, request in await books.listManualJournals(request) }
        route(&router, "GET", journal) { books, request in await books.getManualJournal(request.parameter("ManualJournalID")) }
        route(&router, "PUT", "/ManualJournals") { books, request in await books.saveManualJournals(request, createOnly: true) }
        route(&router, "POST", "/ManualJournals") { books, request in await books.saveManualJournals(request, createOnly: false) }
        route(&router, "POST", journal) { books, request in
            await books.saveManualJournals(request, createOnly: false, pathKey: request.parameter("ManualJournalID"))
        }

        route(&router, "GET", "/Organisation") { books, _ in await books.getOrganisation() }
        route(&router, "POST", "/Organisation") { _, _ in XeroBooks.notImplemented() }
    }

    /// Invoices and credit notes: the same verbs. The app's client id goes along for `createdByMyApp`.
    private func documentRoutes<K: XeroDocumentKind>(_ router: inout SandboxRouter, _ kind: K.Type) {
        let one = "/\(K.collection)/{\(K.idField)}"
        route(&router, "GET", "/" + K.collection) { books, request, app in await books.listDocuments(K.self, request, clientID: app) }
        route(&router, "GET", one) { books, request, _ in await books.getDocument(K.self, request.parameter(K.idField), request) }
        route(&router, "PUT", "/" + K.collection) { books, request, app in await books.saveDocuments(K.self, request, createOnly: true, clientID: app) }
        route(&router, "POST", "/" + K.collection) { books, request, app in await books.saveDocuments(K.self, request, createOnly: false, clientID: app) }
        route(&router, "POST", one) { books, request, app in
            await books.saveDocuments(K.self, request, createOnly: false, pathKey: request.parameter(K.idField), clientID: app)
        }
    }

    /// Prepayments and overpayments: read, allocated, allocations deleted; made by bank transactions.
    private func creditBalanceRoutes<K: XeroCreditBalanceKind>(_ router: inout SandboxRouter, _ kind: K.Type) {
        let one = "/\(K.collection)/{\(K.idField)}"
        route(&router, "GET", "/" + K.collection) { books, request in await books.listCreditBalances(K.self, request) }
        route(&router, "GET", one) { books, request in await books.getCreditBalance(K.self, request.parameter(K.idField), request) }
        route(&router, "PUT", one + "/Allocations") { books, request in
            await books.allocateCreditBalance(K.self, request, key: request.parameter(K.idField))
        }
        route(&router, "DELETE", one + "/Allocations/{AllocationID}") { books, request in
            await books.deleteBalanceAllocation(K.self, balanceKey: request.parameter(K.idField), allocationKey: request.parameter("AllocationID"))
        }
    }

    private func route(_ router: inout SandboxRouter, _ method: String, _ path: String,
                       _ handler: @escaping @Sendable (XeroBooks, SandboxRequest) async -> SandboxResponse) {
        route(&router, method, path) { books, request, _ in await handler(books, request) }
    }

    private func route(_ router: inout SandboxRouter, _ method: String, _ path: String,
                       _ handler: @escaping @Sendable (XeroBooks, SandboxRequest, String) async -> SandboxResponse) {
        router.add(method, Self.prefix + path) { request in await gate(request, handler) }
    }

    /// Xero's order: token (401), tenant (403), then limits (429), then the call.
    private func gate(_ request: SandboxRequest, _ handler: @escaping @Sendable (XeroBooks, SandboxRequest, String) async -> SandboxResponse) async -> SandboxResponse {
        let grant: XeroIdentityStore.Grant
        switch await XeroBearer.caller(request, store: identity) {
        case .success(let value): grant = value
        case .failure(let failure): return failure.response
        }
        guard let tenant = request.header("xero-tenant-id").flatMap(tenant(named:)),
              grant.tenants.contains(tenant.id), let books = books[tenant.id] else { return XeroProblem.forbidden() }
        guard Self.acceptsJSON(request) else {
            return .text(406, "This sandbox answers JSON only: send Accept: application/json (Xero would answer XML).")
        }
        let response = await limits.around(tenant: tenant.key, clientID: grant.clientID) {
            guard request.method == "PUT" || request.method == "POST", let key = request.header("idempotency-key") else {
                return await handler(books, request, grant.clientID)
            }
            return await idempotency.run(key: key, clientID: grant.clientID, request: request) { await handler(books, request, grant.clientID) }
        }
        // Writes (even partly failed batches) may have changed records webhooks announce; reads never do.
        if request.method != "GET" { await webhooks.enqueue(await books.takeWebhookEvents()) }
        return response
    }

    /// The organisation a `xero-tenant-id` names, in any spelling UUID(uuidString:) reads.
    private func tenant(named text: String) -> (id: UUID, key: String)? {
        if let known = tenants[text] { return known }
        return UUID(uuidString: text).map { ($0, $0.uuidString) }
    }

    static func acceptsJSON(_ request: SandboxRequest) -> Bool {
        guard let accept = request.header("accept") else { return false }
        guard accept.utf8.allSatisfy({ $0 < 0x80 }) else { return acceptsJSONSpelledOut(accept.lowercased()) }
        // Each media range by itself, byte-wise and without lower-cased copies (every
        // API call asks, so String work here showed in profiles).
        var json = false, any = false, xml = false
        let ranges: [Substring.UTF8View] = accept.utf8.split(separator: UInt8(ascii: ","))
        for range in ranges {
            let pieces: [Substring.UTF8View] = range.split(separator: UInt8(ascii: ";"))
            let type = pieces.first.map { $0.filter { $0 != UInt8(ascii: " ") } } ?? []
            json = json || matches(type, "application/json")
            any = any || matches(type, "*/*")
            xml = xml || type.count >= 3 && matches(type.suffix(3), "xml")
        }
        return json || any && !xml
    }

    /// `bytes`, lower-cased, spell `text` (lower-case ASCII).
    private static func matches(_ bytes: some Collection<UInt8>, _ text: String) -> Bool {
        bytes.count == text.utf8.count && zip(bytes, text.utf8).allSatisfy { CaseInsensitive.lower($0) == $1 }
    }

    /// The same test on Strings, for a header with non-ASCII text.
    static func acceptsJSONSpelledOut(_ accept: String) -> Bool {
        let ranges = accept.split(separator: ",").map { $0.split(separator: ";").first.map { String($0.filter { $0 != " " }) } ?? "" }
        return ranges.contains("application/json") || ranges.contains("*/*") && !ranges.contains { $0.hasSuffix("xml") }
    }
}
