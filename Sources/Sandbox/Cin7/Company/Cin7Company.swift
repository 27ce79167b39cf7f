import Foundation

/// One Cin7 Core company (one Account ID) in the sandbox. An actor: a company's
/// writes are serialized, companies proceed in parallel.
actor Cin7Company {
    let accountID: String
    let accountingIntegrationEnabled: Bool
    var me: Cin7Me
    var books: Cin7ReferenceBooks
    var accounts = Cin7Table<Cin7Account>()
    var taxRules = Cin7Table<Cin7TaxRule>()
    var customers = Cin7Table<Cin7Customer>()
    var suppliers = Cin7Table<Cin7Supplier>()
    var products = Cin7Table<Cin7Product>()
    var stock: [Cin7StockLevel] = [] {
        // Rows are changed in place, appended or removed: an append extends the
        // index, anything else that changes the count drops it (rebuilt on next use).
        didSet {
            guard stock.count != stockIndexedCount else { return }
            if stock.count == stockIndexedCount + 1, stockIndex != nil, let row = stock.last {
                stockIndex![row.productID, default: []].append(stock.count - 1)
                stockIndexedCount = stock.count
            } else {
                stockIndex = nil
            }
        }
    }
    /// Positions in `stock` by product ID, and how many rows it covers (`stockRows`).
    var stockIndex: [String: [Int]]?
    var stockIndexedCount = 0
    var sales = Cin7Table<Cin7Sale>()
    var purchases = Cin7Table<Cin7Purchase>()
    var stockAdjustments = Cin7Table<Cin7StockAdjustment>()
    var finishedGoods = Cin7Table<Cin7FinishedGoods>()
    var disassemblies = Cin7Table<Cin7Disassembly>()
    var journals = Cin7Table<Cin7Journal>()
    /// The last number handed out per series (`SO`, `INV`, `CR`, `PO`, `ST`, `FG`, `DS`, `JR`).
    var numbers: [String: Int] = [:]
    /// The last timestamp handed out: two writes in one millisecond still get
    /// distinct, increasing `LastModifiedOn`s, so `ModifiedSince` can tell them apart.
    private var lastStamp = Date.distantPast

    /// What a reset goes back to.
    private let account: Cin7Configuration.Account
    private let seed: UInt64

    /// Webhook subscriptions (`/webhooks`), and the events raised for them
    /// since the gate last collected them.
    var webhooks = Cin7Table<Cin7Webhook>()
    var pendingWebhooks: [PendingWebhook] = []
    /// Products whose stock moved since the gate last collected events.
    var stockChanged: Set<String> = []

    /// While a generated business loads: where new ids come from (seeded, so
    /// the same seed gives the same ids) and what "now" is (the date of the
    /// step being loaded, so a year of history is dated as it happened).
    /// Both nil otherwise: random ids and the wall clock, as live Cin7.
    var idSource: SeededGenerator?
    var pinnedNow: Date?
    /// What the generated business's bodies drew from Cin7 the last time it
    /// loaded: empty when every call was accepted.
    private(set) var loadFailures: [String] = []
    private var businessLoaded = false

    init(account: Cin7Configuration.Account, seed: UInt64) {
        accountID = account.accountID.lowercased()
        accountingIntegrationEnabled = account.accountingIntegrationEnabled
        self.account = account
        self.seed = seed
        let start = Self.starter(account: account, seed: seed)
        (me, books, accounts, taxRules, customers, suppliers, products, stock) =
            (start.me, start.books, start.accounts, start.taxRules, start.customers, start.suppliers, start.products, start.stock)
    }

    /// The generated business, if the account has one; nil keeps the company as it always was.
    var business: GeneratedBusiness? { account.business }

    /// Back to the company's first state (the seeded reference books, sample
    /// data and generated business).
    func reset() {
        let start = Self.starter(account: account, seed: seed)
        (me, books, accounts, taxRules, customers, suppliers, products, stock) =
            (start.me, start.books, start.accounts, start.taxRules, start.customers, start.suppliers, start.products, start.stock)
        stockIndex = nil
        sales = Cin7Table()
        purchases = Cin7Table()
        stockAdjustments = Cin7Table()
        finishedGoods = Cin7Table()
        disassemblies = Cin7Table()
        journals = Cin7Table()
        numbers = [:]
        webhooks = Cin7Table()
        pendingWebhooks = []
        stockChanged = []
        businessLoaded = false
        loadGeneratedBusiness()
    }

    /// Loads the generated business (nothing without one) and records what was
    /// refused. Called by `reset()` and, once the server is up, by the sandbox's
    /// start hook: an actor's synchronous init cannot run isolated code.
    func loadGeneratedBusiness() {
        guard let business, !businessLoaded else { return }
        businessLoaded = true
        // Its stamps are its own dates, so the clock starts again below them.
        lastStamp = .distantPast
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in accountID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        idSource = SeededGenerator(seed: seed ^ hash ^ 0xC1_7B05_1E55)
        var loader = Cin7BusinessLoader(business: business)
        deferJSON(true)
        loader.load(into: self)
        deferJSON(false)
        loadFailures = loader.failures
        (idSource, pinnedNow) = (nil, nil)
        // History, not news: nothing to announce to webhooks that do not exist yet.
        (pendingWebhooks, stockChanged) = ([], [])
    }

    func recordCounts() -> [String: Int] {
        ["AccountsList": accounts.count, "TaxRuleList": taxRules.count, "CustomerList": customers.count,
         "SupplierList": suppliers.count, "Products": products.count, "SaleList": sales.count,
         "PurchaseList": purchases.count, "StockAdjustmentList": stockAdjustments.count, "FinishedGoods": finishedGoods.count,
         "Disassemblies": disassemblies.count, "Journals": journals.count]
    }

    private struct Start {
        var me: Cin7Me
        var books: Cin7ReferenceBooks
        var accounts = Cin7Table<Cin7Account>()
        var taxRules = Cin7Table<Cin7TaxRule>()
        var customers = Cin7Table<Cin7Customer>()
        var suppliers = Cin7Table<Cin7Supplier>()
        var products = Cin7Table<Cin7Product>()
        var stock: [Cin7StockLevel] = []
    }

    private static func starter(account: Cin7Configuration.Account, seed: UInt64) -> Start {
        var starter = Cin7StarterData(account: account, seed: seed)
        var me = starter.me
        me.DefaultSaleTaxRuleId = starter.taxRules.first { $0.Name == me.DefaultSaleTaxRuleName }?.ID ?? ""
        var start = Start(me: me, books: starter.books)
        for record in starter.accounts { start.accounts.put(record) }
        for record in starter.taxRules { start.taxRules.put(record) }
        if account.sampleData {
            let sample = starter.sampleData()
            for record in sample.customers { start.customers.put(record) }
            for record in sample.suppliers { start.suppliers.put(record) }
            for record in sample.products { start.products.put(record) }
            start.stock = sample.stock
        }
        return start
    }

    /// Holds back (or writes out) the cached JSON of the tables a load writes
    /// to: a sale is saved at every step, and only its last JSON is served.
    private func deferJSON(_ on: Bool) {
        customers.defersJSON = on
        suppliers.defersJSON = on
        products.defersJSON = on
        sales.defersJSON = on
        purchases.defersJSON = on
        stockAdjustments.defersJSON = on
        finishedGoods.defersJSON = on
    }

    /// A new record's id: seeded while a generated business loads, random otherwise.
    func newID() -> String {
        guard var source = idSource else { return UUID().uuidString.lowercased() }
        defer { idSource = source }
        return source.nextUUID().uuidString.lowercased()
    }

    /// What "today" is for the dates a write defaults (the wall clock, or the loading step's date).
    func now() -> Date {
        pinnedNow ?? Date()
    }

    /// Now, to the millisecond, later than any stamp before it.
    func stamp() -> Cin7Timestamp {
        var now = Cin7DateFormat.truncated(now())
        if now <= lastStamp { now = lastStamp.addingTimeInterval(0.001) }
        lastStamp = now
        return Cin7Timestamp(now)
    }

    /// A list answer: the records that passed, one page of them, in the wrapper.
    func page<Record>(_ table: Cin7Table<Record>, _ keys: [String], arrayKey: String, _ request: SandboxRequest,
                      json: (String) -> [UInt8]? = { _ in nil }) throws(Cin7Failure) -> [UInt8] {
        let (page, limit) = try Cin7Query.paging(request)
        let items = Cin7Query.slice(keys, page: page, limit: limit).compactMap { json($0) ?? table.json($0) }
        return Cin7JSON.list(arrayKey, items, total: keys.count, page: page)
    }

    /// The one-record wrapper a create or update answers with.
    func written<Record>(_ table: Cin7Table<Record>, _ key: String, arrayKey: String, json: [UInt8]? = nil) -> [UInt8] {
        Cin7JSON.list(arrayKey, [json ?? table.json(key) ?? []], total: 1, page: 1)
    }

    // MARK: test and inspection hooks

    /// Sets one stock row (product × location × bin × batch) directly, for tests
    /// and demos that want stock without going through a receipt or adjustment.
    func setStock(_ level: Cin7StockLevel) {
        stock.removeAll { $0.sameSlot(as: level) }
        stock.append(level)
        stockChanged.insert(level.productID)
        refreshAverageCost(level.productID)
    }

    /// `AverageCost` is read-only: the on-hand-weighted unit cost of the product's stock.
    func refreshAverageCost(_ productID: String) {
        guard var product = products[productID] else { return }
        let average = Self.averageCost(of: stockRows(product.ID).map { stock[$0] }) ?? product.AverageCost
        guard average != product.AverageCost else { return }
        product.AverageCost = average
        products.put(product)
    }

    static func averageCost(of rows: [Cin7StockLevel]) -> Decimal? {
        let quantity = rows.reduce(Decimal(0)) { $0 + $1.onHand }
        let value = rows.reduce(Decimal(0)) { $0 + $1.onHand * $1.unitCost }
        return quantity > 0 ? Cin7Number.rounded(value / quantity, places: 4) : nil
    }
}
