import Foundation
import NIOCore

/// One organisation's books in the sandbox. An actor: each organisation's
/// writes are serialized, organisations proceed in parallel.
actor XeroBooks {
    let tenantID: UUID
    let name: String
    /// The app's name in every envelope's `ProviderName`.
    let providerName: String

    /// What a reset returns to, besides the defaults every organisation has.
    let business: GeneratedBusiness?
    /// Whether the business's history (items, tracking, invoices, payments) is
    /// loaded too, or only its contacts.
    let loadsActivity: Bool

    var organisation: XeroOrganisation
    /// List answers by query (see `list`), each valid while its table's version holds.
    var pageCache: [PageKey: CachedPage] = [:]
    var contacts = EntityTable<XeroContact>()
    var accounts = EntityTable<XeroAccount>()
    var taxRates = EntityTable<XeroTaxRate>()
    var items = EntityTable<XeroItem>()
    var trackingCategories = EntityTable<XeroTrackingCategory>()
    var invoices = EntityTable<XeroInvoice>()
    var creditNotes = EntityTable<XeroCreditNote>()
    var payments = EntityTable<XeroPayment>()
    var bankTransactions = EntityTable<XeroBankTransaction>()
    var prepayments = EntityTable<XeroPrepayment>()
    var overpayments = EntityTable<XeroOverpayment>()
    var manualJournals = EntityTable<XeroManualJournal>()

    /// A new organisation comes with Xero's tax rates and a chart of accounts
    /// (XeroNewOrganisation); their ids derive from the tenant id, so a
    /// sandbox started with the same `--seed` has the same ids. The generated
    /// business, if any, comes on top.
    init(tenantID: UUID, name: String, providerName: String, business: GeneratedBusiness? = nil, loadsActivity: Bool = false, now: Date = Date()) {
        self.loadsActivity = loadsActivity
        self.tenantID = tenantID
        self.name = name
        self.providerName = providerName
        self.business = business
        let start = Self.newBooks(tenantID: tenantID, name: name, business: business, created: now, now: now)
        (organisation, taxRates, accounts, contacts) = (start.organisation, start.taxRates, start.accounts, start.contacts)
        // The starting data was never "changed": no webhook announces it.
        _ = contacts.takeChanges()
    }

    /// A list GET with what every list shares: `If-Modified-Since`, `where`,
    /// `order`, and for paged endpoints `page` (100 a page unless `pageSize`,
    /// at most 1,000). Unpaged endpoints return everything.
    /// `render` re-encodes a record when the request changes its shape
    /// (`unitdp=4`, archived tracking options left out); else the cached JSON is sent.
    func list<Entity: XeroEntity>(_ table: EntityTable<Entity>, _ request: SandboxRequest, pageable: Bool,
                                  supportsIfModifiedSince: Bool = true, _ keep: (Entity) -> Bool = { _ in true },
                                  render: ((Entity) -> [UInt8])? = nil) -> SandboxResponse {
        // The same question of an unchanged table gets the same records: from the cache.
        // Keyed by the query as sent: the same text always decodes to the same items,
        // and no key string is built per call.
        let cacheKey = PageKey(collection: Entity.collection, query: request.rawQuery,
                               ifModifiedSince: supportsIfModifiedSince ? request.header("if-modified-since") ?? "" : "")
        if let page = pageCache[cacheKey], page.version == table.version {
            return .json(200, parts: XeroEnvelope.parts(Entity.collection, joined: page.items, providerName: providerName, pagination: page.pagination))
        }
        var since: Date?
        if supportsIfModifiedSince, let header = request.header("if-modified-since") {
            guard let date = XeroDateFormat.parseIfModifiedSince(header) else { return XeroProblem.badRequest("If-Modified-Since is not a date") }
            since = date
        }
        var filter: XeroWhere?
        if let text = request.query.value("where"), !text.isEmpty {
            do { filter = try XeroWhere.parse(text) } catch { return XeroProblem.badRequest("\(error)") }
        }
        var ids = table.order.filter { id in
            guard let entity = table[id], keep(entity) else { return false }
            // Second precision: "modified after" the given second.
            if let since, let updated = entity.updatedDateUTC?.date, updated.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970.rounded(.down) { return false }
            return true
        }
        var objects: [UUID: [String: Any]] = [:]
        func object(_ id: UUID) -> [String: Any] {
            if let cached = objects[id] { return cached }
            let parsed = (try? JSONSerialization.jsonObject(with: Data(table.json(id) ?? []))) as? [String: Any] ?? [:]
            objects[id] = parsed
            return parsed
        }
        if let filter { ids = ids.filter { filter.matches(object($0)) } }
        if let order = request.query.value("order"), !order.isEmpty {
            let parts = order.split(separator: " ")
            let field = String(parts[0])
            let descending = parts.count > 1 && parts[1].uppercased() == "DESC"
            ids.sort { a, b in
                let x = object(a)[field], y = object(b)[field]
                let ascending = Self.ascending(x, y)
                return descending ? Self.ascending(y, x) : ascending
            }
        }
        func json(_ id: UUID) -> [UInt8]? {
            guard let render else { return table.json(id) }
            return table[id].map(render)
        }
        var pagination: XeroEnvelope.Pagination?
        if pageable, let pageText = request.query.value("page") {
            guard let page = Int(pageText), page >= 1 else { return XeroProblem.badRequest("page must be a positive number") }
            let requestedSize = request.query.value("pageSize").flatMap(Int.init) ?? 100
            let pageSize = min(max(requestedSize, 1), 1000)
            let start = min((page - 1) * pageSize, ids.count)
            pagination = .init(page: page, pageSize: pageSize, itemCount: ids.count)
            ids = Array(ids[start..<min(start + pageSize, ids.count)])
        }
        let items = ByteBuffer(bytes: XeroEnvelope.join(ids.compactMap(json)))
        remember(CachedPage(version: table.version, items: items, pagination: pagination), as: cacheKey)
        return .json(200, parts: XeroEnvelope.parts(Entity.collection, joined: items, providerName: providerName, pagination: pagination))
    }

    /// What a cached list answer depends on besides the table's version.
    struct PageKey: Hashable {
        let collection: String
        let query: Substring
        let ifModifiedSince: String
    }

    /// A list answer kept for an unchanged table: the records' JSON, joined.
    struct CachedPage {
        let version: Int
        let items: ByteBuffer
        let pagination: XeroEnvelope.Pagination?
    }

    private func remember(_ page: CachedPage, as key: PageKey) {
        // Bounded: many different queries must not grow memory without limit.
        if pageCache.count >= 256 { pageCache.removeAll(keepingCapacity: true) }
        pageCache[key] = page
    }

    /// Back to a new organisation's state.
    /// Back to a new organisation's state (plus the generated business).
    func reset() {
        let start = Self.newBooks(tenantID: tenantID, name: name, business: business, created: organisation.CreatedDateUTC.date, now: Date())
        (organisation, taxRates, accounts, contacts) = (start.organisation, start.taxRates, start.accounts, start.contacts)
        items = EntityTable()
        trackingCategories = EntityTable()
        invoices = EntityTable()
        creditNotes = EntityTable()
        payments = EntityTable()
        bankTransactions = EntityTable()
        prepayments = EntityTable()
        overpayments = EntityTable()
        manualJournals = EntityTable()
        do {
            try loadGeneratedActivity()
        } catch {
            // It loaded at start with the same data: only a bug can make it fail now.
            assertionFailure("\(error)")
        }
        discardWebhookEvents()
    }

    private static func newBooks(tenantID: UUID, name: String, business: GeneratedBusiness?, created: Date, now: Date)
        -> (organisation: XeroOrganisation, taxRates: EntityTable<XeroTaxRate>, accounts: EntityTable<XeroAccount>, contacts: EntityTable<XeroContact>) {
        var random = SeededGenerator(seed: tenantID)
        let organisation = XeroOrganisation(tenantID: tenantID, name: name, created: created, random: &random)
        var taxRates = EntityTable<XeroTaxRate>(), accounts = EntityTable<XeroAccount>()
        for rate in XeroNewOrganisation.taxRates() { taxRates.put(rate, now: now) }
        for account in XeroNewOrganisation.accounts(currency: organisation.BaseCurrency, random: &random) { accounts.put(account, now: now) }
        return (organisation, taxRates, accounts, business.map(Self.contacts(of:)) ?? EntityTable())
    }

    func recordCounts() -> [String: Int] {
        [XeroContact.collection: contacts.count, XeroAccount.collection: accounts.count, XeroTaxRate.collection: taxRates.count,
         XeroItem.collection: items.count, XeroTrackingCategory.collection: trackingCategories.count,
         XeroInvoice.collection: invoices.count, XeroCreditNote.collection: creditNotes.count, XeroPayment.collection: payments.count,
         XeroBankTransaction.collection: bankTransactions.count, XeroPrepayment.collection: prepayments.count,
         XeroOverpayment.collection: overpayments.count, XeroManualJournal.collection: manualJournals.count]
    }

    private static func ascending(_ x: Any?, _ y: Any?) -> Bool {
        switch (x, y) {
        case (let a as String, let b as String):
            if let da = XeroDateFormat.parse(a), let db = XeroDateFormat.parse(b), a.hasPrefix("/Date(") { return da < db }
            return a.lowercased() < b.lowercased()
        case (let a as NSNumber, let b as NSNumber): return a.doubleValue < b.doubleValue
        case (nil, .some): return true
        default: return false
        }
    }
}
