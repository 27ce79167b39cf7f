import Foundation

/// What a company holds from the start: the reference books of a new Cin7 Core
/// account connected to an Australian Xero organisation (a chart of accounts
/// with Xero's codes, GST tax rules, payment terms, a warehouse), and, when
/// asked, a small demo catalogue. Ids come from the seed and the Account ID, so
/// the same configuration gives the same data on every run.
struct Cin7StarterData {
    struct Sample {
        var customers: [Cin7Customer] = []
        var suppliers: [Cin7Supplier] = []
        var products: [Cin7Product] = []
        var stock: [Cin7StockLevel] = []
    }

    private var random: SeededGenerator
    let me: Cin7Me
    let books: Cin7ReferenceBooks
    private(set) var accounts: [Cin7Account] = []
    private(set) var taxRules: [Cin7TaxRule] = []
    /// Demo records carry fixed past timestamps, a minute apart, so that any
    /// `ModifiedSince` a test takes from "now" excludes them.
    private var clock = Date(timeIntervalSince1970: 1_704_067_200.125) // 2024-01-01T00:00:00.125Z

    init(account: Cin7Configuration.Account, seed: UInt64) {
        // FNV-1a of the Account ID: each account its own stream.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in account.accountID.lowercased().utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        random = SeededGenerator(seed: seed ^ hash)
        // A generated business brings its own base currency; New Zealand's GST is 15 %, Australia's 10 %.
        let base = (account.business?.baseCurrency ?? account.baseCurrency).uppercased()
        let newZealand = base == "NZD"
        let gst: Decimal = newZealand ? 15 : 10
        var locations: [Cin7ReferenceBooks.Location] = []
        for name in ["Main Warehouse", "Sydney Store"] {
            locations.append(.init(id: random.nextUUID().uuidString.lowercased(), name: name))
        }
        books = Cin7ReferenceBooks(
            paymentTerms: ["30 days", "14 days", "7 days", "20th of next month", "COD"],
            locations: locations,
            categories: ["General", "Other", "Components"],
            units: ["Item", "Box", "Pack", "kg"],
            carriers: ["DEFAULT Carrier", "Australia Post", "StarTrack"],
            priceTiers: (1...10).map { "Tier \($0)" },
            currencies: Set(["AUD", "NZD", "USD", "EUR", "GBP", "CAD", "SGD", "JPY", "CNY", "HKD", "INR", "ZAR", "CHF", "SEK", "NOK", "DKK"]
                + [base] + (account.business?.currencies ?? []).map { $0.uppercased() })
        )
        me = Cin7Me(Company: account.companyName, Currency: base, TimeZone: newZealand ? "Pacific/Auckland" : "Australia/Sydney",
                    DefaultWeightUnits: "kg", DefaultDimensionsUnits: "cm", LockDate: nil,
                    OpeningBalanceDate: Cin7Day(date: Date(timeIntervalSince1970: 1_719_705_600)), // 2024-06-30
                    TaxCalculationMethod: "Total", DefaultSaleTaxRuleId: "", DefaultSaleTaxRuleName: "GST on Income",
                    MaximumDecimalPlacesInQuantity: "N2", ApplyCustomerDiscountsAfterOtherDiscounts: false, DiscountRule: "Discount",
                    AutomaticallyApplyDiscounts: false, RoundingTable: [])
        for row in Self.chart {
            let bank = row.type == "BANK"
            accounts.append(Cin7Account(
                Code: row.code, Status: "ACTIVE", Name: row.name, Type: row.type, Description: row.description,
                Class: Cin7Account.typeClasses[row.type]!, SystemAccount: row.system, BankAccountNumber: bank ? "062-000 1234 5678" : nil,
                BankAccountId: bank ? uuid() : nil, ForPayments: bank, DisplayName: "\(row.code): \(row.name)", OldCode: nil,
                _bank: bank ? "Commonwealth Bank" : nil))
        }
        for (name, percent, sale, purchase) in [("GST on Income", gst, true, false), ("GST on Expenses", gst, false, true),
                                                ("GST Free Income", 0, true, false), ("GST Free Expenses", 0, false, true),
                                                ("BAS Excluded", 0, true, true)] as [(String, Decimal, Bool, Bool)] {
            taxRules.append(rule(name, percent: percent, sale: sale, purchase: purchase))
        }
    }

    /// Xero's Australian demo chart, trimmed to what inventory and sales touch.
    private static let chart: [(code: String, name: String, type: String, system: String?, description: String)] = [
        ("090", "Business Bank Account", "BANK", nil, ""),
        ("200", "Sales", "REVENUE", nil, "Income from any normal business activity"),
        ("260", "Other Revenue", "OTHERINCOME", nil, "Any other income that does not relate to normal business activities"),
        ("310", "Cost of Goods Sold", "DIRECTCOSTS", nil, "Cost of goods sold by the business"),
        ("400", "Advertising", "OVERHEADS", nil, "Expenses incurred for advertising while trying to increase sales"),
        ("470", "Inventory Discrepancy", "EXPENSE", nil, "Stock adjustments and write-offs"),
        ("610", "Accounts Receivable", "CURRENT", "DEBTORS", "Outstanding invoices the company has issued out to the client but has not yet received in cash at balance date."),
        ("630", "Inventory Control", "INVENTORY", nil, "Value of stock on hand"),
        ("640", "Work in Progress", "CURRENT", nil, "Components consumed by unfinished assemblies"),
        ("650", "Supplier Deposits", "CURRENT", nil, "Prepayments made to suppliers"),
        ("800", "Accounts Payable", "CURRLIAB", "CREDITORS", "Outstanding invoices the company has received from suppliers but has not yet paid at balance date"),
        ("820", "GST", "CURRLIAB", "GST", "The balance of GST collected and paid"),
        ("830", "Customer Credits", "CURRLIAB", nil, "Prepayments and overpayments held for customers"),
        ("840", "Historical Adjustment", "CURRLIAB", "HISTORICAL", "For accountant adjustments"),
        ("860", "Rounding", "CURRLIAB", "ROUNDING", "An adjustment entry to allow for rounding"),
        ("960", "Retained Earnings", "EQUITY", "RETAINEDEARNINGS", "Do not Use"),
    ]

    private mutating func uuid() -> String {
        random.nextUUID().uuidString.lowercased()
    }

    private mutating func rule(_ name: String, percent: Decimal, sale: Bool, purchase: Bool) -> Cin7TaxRule {
        let component = Cin7TaxRule.Component(ID: random.nextUUID().uuidString.uppercased(), Name: percent > 0 ? "GST" : "No Tax",
                                              Percent: Cin7Number.fixed(percent, places: 10), AccountCode: percent > 0 ? "820" : "",
                                              Compound: "0", ComponentOrder: "1", _percent: percent, _order: 1)
        return Cin7TaxRule(ID: uuid(), Name: name, Account: "820", IsActive: true, TaxInclusive: false, TaxPercent: percent,
                           IsTaxForSale: sale, IsTaxForPurchase: purchase, Components: [component])
    }

    private mutating func tick() -> Cin7Timestamp {
        clock += 60
        return Cin7Timestamp(clock)
    }

    /// Two customers, two suppliers, three stock products with stock and one service.
    mutating func sampleData() -> Sample {
        var sample = Sample()
        let warehouse = books.locations[0].name
        for (name, email) in [("Ridgeway University", "accounts@ridgeway.example"), ("Bayside Club", "secretary@bayside.example")] {
            let id = uuid()
            sample.customers.append(Cin7Customer(
                ID: id, Name: name, Currency: me.Currency, PaymentTerm: "30 days", Discount: 0, TaxRule: "GST on Income", Carrier: "DEFAULT Carrier",
                SalesRepresentative: nil, Location: warehouse, Comments: "", AccountReceivable: "610", RevenueAccount: "200", PriceTier: "Tier 1",
                TaxNumber: "", AttributeSet: nil, Tags: "", Status: "Active", CreditLimit: 0, IsOnCreditHold: false, LastModifiedOn: tick(),
                Addresses: [.init(ID: uuid(), Line1: "1 Harbour Road", Line2: "", City: "Sydney", State: "NSW", Postcode: "2000", Country: "Australia",
                                  Type: "Billing", DefaultForType: true)],
                Contacts: [.init(ID: uuid(), Name: "Accounts", JobTitle: "", Phone: "02 9000 0000", MobilePhone: "", Fax: "", Email: email,
                                 Website: "", Default: true, Comment: "", IncludeInEmail: true)]))
        }
        for name in ["Koala Components Pty Ltd", "Pacific Packaging Co"] {
            sample.suppliers.append(Cin7Supplier(
                ID: uuid(), Name: name, Currency: me.Currency, PaymentTerm: "30 days", TaxRule: "GST on Expenses", Discount: 0, Comments: "",
                AccountPayable: "800", TaxNumber: "", AttributeSet: nil, Status: "Active", LastModifiedOn: tick(),
                Addresses: [.init(ID: uuid(), Line1: "148 Bay Harbour Road", Line2: "", City: "Melbourne", State: "VIC", Postcode: "3000",
                                  Country: "Australia", Type: "Business", DefaultForType: true)],
                Contacts: [.init(ID: uuid(), Name: "Sales Desk", JobTitle: "", Phone: "03 9000 0000", MobilePhone: "", Fax: "", Email: "",
                                 Website: "", Default: true, Comment: "", IncludeInEmail: false)]))
        }
        let catalogue: [(sku: String, name: String, type: String, price: Decimal, cost: Decimal, onHand: Decimal)] = [
            ("WID-001", "Widget, small", "Stock", 12.5, 4.2, 120),
            ("WID-002", "Widget, large", "Stock", 24, 9.75, 35),
            ("GB3-WHITE", "Golf balls white 3-pack", "Stock", 9.95, 5, 0),
            ("SVC-INSTALL", "Installation service", "Service", 95, 0, 0),
        ]
        for item in catalogue {
            var product = Cin7Product(ID: uuid(), SKU: item.sku, Name: item.name, Category: "General", Type: item.type,
                                      CostingMethod: "FIFO", DropShipMode: "No Drop Ship", DefaultLocation: warehouse, UOM: "Item",
                                      PriceTiers: .init(names: books.priceTiers, prices: Array(repeating: 0, count: 10)),
                                      Status: "Active", LastModifiedOn: tick())
            product.priceTierValues = [item.price] + Array(repeating: 0, count: 9)
            product.RevenueAccount = "200"
            product.SaleTaxRule = "GST on Income"
            product.PurchaseTaxRule = "GST on Expenses"
            if item.type == "Stock" {
                product.COGSAccount = "310"
                product.InventoryAccount = "630"
                if item.onHand > 0 {
                    let level = Cin7StockLevel(productID: product.ID, location: warehouse, onHand: item.onHand,
                                               allocated: item.onHand >= 100 ? 10 : 0, unitCost: item.cost)
                    sample.stock.append(level)
                    product.AverageCost = Cin7Company.averageCost(of: [level]) ?? 0
                }
            } else {
                product.ExpenseAccount = "400"
            }
            sample.products.append(product)
        }
        return sample
    }
}
