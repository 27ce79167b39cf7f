import Foundation

/// Writes a generated business into a company through the company's own
/// endpoint functions, with the JSON bodies a client would send, so every
/// rule and derived field (totals, tax, statuses, stock, costs, numbers) is
/// what the API itself would produce.
///
/// Order matters for stock, not for dates: each step is dated by the
/// company's pinned clock, but the steps run opening stock, purchases,
/// assembly builds, sales, write-offs. The generator only promises that stock
/// never ends negative, not that every sale finds its stock in date order (a
/// sale may come before the purchase that covers it), and a Cin7 sale short of
/// stock is backordered rather than shipped.
struct Cin7BusinessLoader {
    let business: GeneratedBusiness
    /// One message per refused call: what was being written, then Cin7's messages.
    private(set) var failures: [String] = []
    /// Generator ids to the company's ids.
    var customerIDs: [UUID: String] = [:]
    var supplierIDs: [UUID: String] = [:]
    var productIDs: [UUID: String] = [:]
    var productsByID: [UUID: GeneratedBusiness.Product] = [:]
    var location = ""

    /// Accounts of the reference chart the bodies name.
    static let bank = "090", receivable = "610", revenue = "200", costOfSales = "310", inventory = "630", workInProgress = "640",
               payable = "800", openingBalances = "840", writeOffs = "470"
    static let saleTax = "GST on Income", purchaseTax = "GST on Expenses", paymentTerm = "30 days"

    init(business: GeneratedBusiness) {
        self.business = business
        productsByID = Dictionary(business.products.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func load(into company: isolated Cin7Company) {
        location = company.books.defaultLocation.name
        // Customers, suppliers and products were there before the history began.
        company.pinnedNow = (business.stockMovements.map(\.date) + business.documents.map(\.date)).min() ?? Date(timeIntervalSince1970: 0)
        loadParties(into: company)
        loadProducts(into: company)
        loadOpeningStock(into: company)
        for document in business.documents where document.kind == .purchase { loadPurchase(document, into: company) }
        loadAssemblies(into: company)
        for document in business.documents where document.kind == .sale { loadSale(document, into: company) }
        loadWriteOffs(into: company)
    }

    /// Calls one endpoint with `body`; the answer as JSON when `parse` (else
    /// empty), or nil with the refusal recorded.
    mutating func call(_ what: @autoclosure () -> String, _ body: [String: Any], parse: Bool = false,
                       _ endpoint: (SandboxRequest) throws(Cin7Failure) -> [UInt8]) -> [String: Any]? {
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
        } catch {
            failures.append("\(what()): the body could not be written as JSON (\(error))")
            return nil
        }
        do {
            let answer = try endpoint(SandboxRequest(method: "POST", target: Cin7Sandbox.basePath, headers: [], body: bytes))
            // Only a create's answer is read (for the new record's ID).
            return parse ? (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any] ?? [:] : [:]
        } catch {
            failures.append("\(what()): \(error.status) \(error.messages.joined(separator: " | "))")
            return nil
        }
    }

    /// A decimal as the text of a JSON value: exact, where a Double would round.
    static func number(_ value: Decimal) -> String {
        "\(value)"
    }

    static func day(_ date: Date) -> String {
        Cin7DateFormat.day(date)
    }

    /// Cin7's `CurrencyRate` is base units per one foreign unit; the generator's
    /// (Xero's) is foreign units per one base unit.
    static func cin7Rate(_ document: GeneratedBusiness.Document) -> String {
        guard document.currencyRate > 0, document.currencyRate != 1 else { return "1" }
        return number(Cin7Number.rounded(1 / document.currencyRate, places: 10))
    }
}
