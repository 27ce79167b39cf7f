import Foundation

/// The endpoints under `/ExternalApi/v2/`, each behind the gate: credentials
/// (403), then the rate limit (429 or 503), then the company's data.
struct Cin7Routes: Sendable {
    typealias Handler = @Sendable (Cin7Company, SandboxRequest) async throws(Cin7Failure) -> [UInt8]

    let companies: [String: Cin7Company]
    /// Per Account ID (lower case), the application keys it accepts.
    let keys: [String: Set<String>]
    let limits: Cin7RateLimits
    let errorShape: Cin7Configuration.ErrorShape
    let webhookSender: Cin7WebhookSender

    func register(in router: inout SandboxRouter) {
        route(&router, "GET", "me") { company, _ in await company.getMe() }
        route(&router, "GET", "webhooks") { company, request in await company.listWebhooks(request) }
        route(&router, "POST", "webhooks") { company, request throws(Cin7Failure) in try await company.createWebhook(request) }
        route(&router, "PUT", "webhooks") { company, request throws(Cin7Failure) in try await company.updateWebhook(request) }
        route(&router, "DELETE", "webhooks") { company, request throws(Cin7Failure) in try await company.deleteWebhook(request) }
        route(&router, "GET", "ref/account") { company, request throws(Cin7Failure) in try await company.listAccounts(request) }
        route(&router, "POST", "ref/account") { company, request throws(Cin7Failure) in try await company.createAccount(request) }
        route(&router, "PUT", "ref/account") { company, request throws(Cin7Failure) in try await company.updateAccount(request) }
        route(&router, "DELETE", "ref/account") { company, request throws(Cin7Failure) in try await company.deleteAccount(request) }
        route(&router, "GET", "ref/tax") { company, request throws(Cin7Failure) in try await company.listTaxRules(request) }
        route(&router, "POST", "ref/tax") { company, request throws(Cin7Failure) in try await company.createTaxRule(request) }
        route(&router, "PUT", "ref/tax") { company, request throws(Cin7Failure) in try await company.updateTaxRule(request) }
        route(&router, "GET", "customer") { company, request throws(Cin7Failure) in try await company.listCustomers(request) }
        route(&router, "POST", "customer") { company, request throws(Cin7Failure) in try await company.createCustomer(request) }
        route(&router, "PUT", "customer") { company, request throws(Cin7Failure) in try await company.updateCustomer(request) }
        route(&router, "GET", "supplier") { company, request throws(Cin7Failure) in try await company.listSuppliers(request) }
        route(&router, "POST", "supplier") { company, request throws(Cin7Failure) in try await company.createSupplier(request) }
        route(&router, "PUT", "supplier") { company, request throws(Cin7Failure) in try await company.updateSupplier(request) }
        route(&router, "GET", "product") { company, request throws(Cin7Failure) in try await company.listProducts(request) }
        route(&router, "POST", "product") { company, request throws(Cin7Failure) in try await company.createProduct(request) }
        route(&router, "PUT", "product") { company, request throws(Cin7Failure) in try await company.updateProduct(request) }
        route(&router, "GET", "ref/productavailability") { company, request throws(Cin7Failure) in try await company.listAvailability(request) }
        route(&router, "GET", "saleList") { company, request throws(Cin7Failure) in try await company.listSales(request) }
        route(&router, "GET", "sale") { company, request throws(Cin7Failure) in try await company.getSale(request) }
        route(&router, "POST", "sale") { company, request throws(Cin7Failure) in try await company.createSale(request) }
        route(&router, "PUT", "sale") { company, request throws(Cin7Failure) in try await company.updateSale(request) }
        route(&router, "DELETE", "sale") { company, request throws(Cin7Failure) in try await company.deleteSale(request) }
        route(&router, "GET", "sale/quote") { company, request throws(Cin7Failure) in try await company.getSaleQuote(request) }
        route(&router, "POST", "sale/quote") { company, request throws(Cin7Failure) in try await company.postSaleQuote(request) }
        route(&router, "GET", "sale/order") { company, request throws(Cin7Failure) in try await company.getSaleOrder(request) }
        route(&router, "POST", "sale/order") { company, request throws(Cin7Failure) in try await company.postSaleOrder(request) }
        route(&router, "GET", "sale/fulfilment") { company, request throws(Cin7Failure) in try await company.getSaleFulfilment(request) }
        for step in ["pick", "pack"] {
            route(&router, "GET", "sale/fulfilment/\(step)") { company, request throws(Cin7Failure) in try await company.getFulfilmentStep(request, step) }
            for method in ["POST", "PUT"] {
                route(&router, method, "sale/fulfilment/\(step)") { company, request throws(Cin7Failure) in
                    try await company.postFulfilmentStep(request, pack: step == "pack")
                }
            }
        }
        route(&router, "GET", "sale/fulfilment/ship") { company, request throws(Cin7Failure) in try await company.getFulfilmentStep(request, "ship") }
        route(&router, "POST", "sale/fulfilment/ship") { company, request throws(Cin7Failure) in try await company.postFulfilmentShip(request) }
        route(&router, "PUT", "sale/fulfilment/ship") { company, request throws(Cin7Failure) in try await company.postFulfilmentShip(request) }
        route(&router, "GET", "sale/invoice") { company, request throws(Cin7Failure) in try await company.getSaleInvoices(request) }
        route(&router, "POST", "sale/invoice") { company, request throws(Cin7Failure) in try await company.writeSaleInvoice(request, updating: false) }
        route(&router, "PUT", "sale/invoice") { company, request throws(Cin7Failure) in try await company.writeSaleInvoice(request, updating: true) }
        route(&router, "DELETE", "sale/invoice") { company, request throws(Cin7Failure) in try await company.deleteSaleInvoice(request) }
        route(&router, "GET", "sale/creditnote") { company, request throws(Cin7Failure) in try await company.getSaleCreditNotes(request) }
        route(&router, "POST", "sale/creditnote") { company, request throws(Cin7Failure) in try await company.postSaleCreditNote(request) }
        route(&router, "DELETE", "sale/creditnote") { company, request throws(Cin7Failure) in try await company.deleteSaleCreditNote(request) }
        route(&router, "GET", "sale/payment") { company, request throws(Cin7Failure) in try await company.getSalePayments(request) }
        route(&router, "POST", "sale/payment") { company, request throws(Cin7Failure) in try await company.postSalePayment(request) }
        route(&router, "PUT", "sale/payment") { company, request throws(Cin7Failure) in try await company.updateSalePayment(request) }
        route(&router, "DELETE", "sale/payment") { company, request throws(Cin7Failure) in try await company.deleteSalePayment(request) }
        registerPurchases(in: &router)
        registerStock(in: &router)
    }

    private func registerPurchases(in router: inout SandboxRouter) {
        route(&router, "GET", "purchaseList") { company, request throws(Cin7Failure) in try await company.listPurchases(request) }
        route(&router, "GET", "advanced-purchase") { company, request throws(Cin7Failure) in try await company.getPurchase(request) }
        route(&router, "POST", "advanced-purchase") { company, request throws(Cin7Failure) in try await company.createPurchase(request) }
        route(&router, "PUT", "advanced-purchase") { company, request throws(Cin7Failure) in try await company.updatePurchase(request) }
        route(&router, "DELETE", "advanced-purchase") { company, request throws(Cin7Failure) in try await company.deletePurchase(request) }
        route(&router, "GET", "purchase/order") { company, request throws(Cin7Failure) in try await company.getPurchaseOrder(request) }
        route(&router, "POST", "purchase/order") { company, request throws(Cin7Failure) in try await company.postPurchaseOrder(request) }
        route(&router, "GET", "advanced-purchase/stock") { company, request throws(Cin7Failure) in try await company.getPurchaseStock(request) }
        route(&router, "POST", "advanced-purchase/stock") { company, request throws(Cin7Failure) in try await company.writePurchaseStock(request, replacing: false) }
        route(&router, "PUT", "advanced-purchase/stock") { company, request throws(Cin7Failure) in try await company.writePurchaseStock(request, replacing: true) }
        route(&router, "DELETE", "advanced-purchase/stock") { company, request throws(Cin7Failure) in try await company.deletePurchaseStock(request) }
        route(&router, "GET", "advanced-purchase/invoice") { company, request throws(Cin7Failure) in try await company.getPurchaseInvoices(request) }
        route(&router, "POST", "advanced-purchase/invoice") { company, request throws(Cin7Failure) in try await company.postPurchaseInvoices(request) }
        route(&router, "DELETE", "advanced-purchase/invoice") { company, request throws(Cin7Failure) in try await company.deletePurchaseInvoice(request) }
        route(&router, "GET", "advanced-purchase/creditnote") { company, request throws(Cin7Failure) in try await company.getPurchaseCreditNotes(request) }
        route(&router, "POST", "advanced-purchase/creditnote") { company, request throws(Cin7Failure) in try await company.postPurchaseCreditNotes(request) }
        route(&router, "DELETE", "advanced-purchase/creditnote") { company, request throws(Cin7Failure) in try await company.deletePurchaseCreditNote(request) }
        route(&router, "GET", "advanced-purchase/payment") { company, request throws(Cin7Failure) in try await company.getPurchasePayments(request) }
        route(&router, "POST", "advanced-purchase/payment") { company, request throws(Cin7Failure) in try await company.postPurchasePayment(request) }
        route(&router, "PUT", "advanced-purchase/payment") { company, request throws(Cin7Failure) in try await company.updatePurchasePayment(request) }
        // The blueprint deletes advanced-purchase payments at `/purchase/payment` (apib:18299).
        for endpoint in ["purchase/payment", "advanced-purchase/payment"] {
            route(&router, "DELETE", endpoint) { company, request throws(Cin7Failure) in try await company.deletePurchasePayment(request) }
        }
    }

    private func registerStock(in router: inout SandboxRouter) {
        route(&router, "GET", "stockadjustmentList") { company, request throws(Cin7Failure) in try await company.listStockAdjustments(request) }
        route(&router, "GET", "stockadjustment") { company, request throws(Cin7Failure) in try await company.getStockAdjustment(request) }
        route(&router, "POST", "stockadjustment") { company, request throws(Cin7Failure) in try await company.writeStockAdjustment(request, updating: false) }
        route(&router, "PUT", "stockadjustment") { company, request throws(Cin7Failure) in try await company.writeStockAdjustment(request, updating: true) }
        route(&router, "DELETE", "stockadjustment") { company, request throws(Cin7Failure) in try await company.deleteStockAdjustment(request) }
        route(&router, "GET", "finishedGoodsList") { company, request throws(Cin7Failure) in try await company.listFinishedGoods(request) }
        route(&router, "GET", "finishedGoods") { company, request throws(Cin7Failure) in try await company.getFinishedGoods(request) }
        route(&router, "POST", "finishedGoods") { company, request throws(Cin7Failure) in try await company.createFinishedGoods(request) }
        route(&router, "PUT", "finishedGoods") { company, request throws(Cin7Failure) in try await company.updateFinishedGoods(request) }
        route(&router, "DELETE", "finishedGoods") { company, request throws(Cin7Failure) in try await company.deleteFinishedGoods(request) }
        route(&router, "POST", "finishedGoods/order") { company, request throws(Cin7Failure) in try await company.postFinishedGoodsOrder(request) }
        route(&router, "POST", "finishedGoods/pick") { company, request throws(Cin7Failure) in try await company.postFinishedGoodsPick(request) }
        route(&router, "GET", "disassemblyList") { company, request throws(Cin7Failure) in try await company.listDisassemblies(request) }
        route(&router, "GET", "disassembly") { company, request throws(Cin7Failure) in try await company.getDisassembly(request) }
        route(&router, "POST", "disassembly") { company, request throws(Cin7Failure) in try await company.createDisassembly(request) }
        route(&router, "DELETE", "disassembly") { company, request throws(Cin7Failure) in try await company.deleteDisassembly(request) }
        route(&router, "POST", "disassembly/order") { company, request throws(Cin7Failure) in try await company.postDisassemblyOrder(request) }
        route(&router, "GET", "journal") { company, request throws(Cin7Failure) in try await company.listJournals(request) }
        route(&router, "POST", "journal") { company, request throws(Cin7Failure) in try await company.writeJournal(request, updating: false) }
        route(&router, "PUT", "journal") { company, request throws(Cin7Failure) in try await company.writeJournal(request, updating: true) }
        route(&router, "DELETE", "journal") { company, request throws(Cin7Failure) in try await company.deleteJournal(request) }
        route(&router, "GET", "transactions") { company, request throws(Cin7Failure) in try await company.listTransactions(request) }
    }

    private func route(_ router: inout SandboxRouter, _ method: String, _ endpoint: String, _ handler: @escaping Handler) {
        router.add(method, Cin7Sandbox.basePath + "/" + endpoint) { request in await gate(request, handler) }
    }

    private func gate(_ request: SandboxRequest, _ handler: Handler) async -> SandboxResponse {
        guard let accountID = request.header("api-auth-accountid")?.trimmingCharacters(in: .whitespaces).lowercased(),
              let key = request.header("api-auth-applicationkey")?.trimmingCharacters(in: .whitespaces),
              keys[accountID]?.contains(key) == true, let company = companies[accountID] else {
            return Cin7Failure.forbidden.response(shape: errorShape)
        }
        if let refusal = limits.admit(accountID: accountID, applicationKey: key) {
            return refusal.failure.response(shape: errorShape, headers: [("retry-after", refusal.retryAfter)])
        }
        let response: SandboxResponse
        do {
            response = .json(200, try await handler(company, request))
        } catch {
            response = error.response(shape: errorShape)
        }
        // Writes may have raised events for the company's webhooks; reads never do.
        if request.method != "GET" { await webhookSender.send(await company.takeWebhookDeliveries()) }
        return response
    }
}
