import Foundation

/// What a new New Zealand organisation starts with: Xero's NZ tax rates (as
/// the spec's `GET /TaxRates` example lists them) and a small NZ-style chart
/// of accounts with the system accounts Xero creates (DEBTORS, CREDITORS, GST,
/// ROUNDING, RETAINEDEARNINGS…), two bank accounts, sales, cost of goods sold
/// and an inventory account, so a fresh sandbox looks like a real demo company.
enum XeroNewOrganisation {
    static let salesTaxType = "OUTPUT2"
    static let purchasesTaxType = "INPUT2"
    static let noTaxType = "NONE"

    static func taxRates() -> [XeroTaxRate] {
        typealias Flags = XeroTaxRate.Applicability
        func gst(_ percent: Decimal) -> [XeroTaxRate.Component] {
            [.init(Name: "GST", Rate: XeroRate(percent), IsCompound: false, IsNonRecoverable: false)]
        }
        let liabilitiesOnly = Flags(assets: false, equity: false, expenses: false, liabilities: true, revenue: false)
        return [
            XeroTaxRate(name: "15% GST on Expenses", taxType: purchasesTaxType, reportTaxType: "INPUT", components: gst(15),
                        applicability: Flags(assets: true, equity: true, expenses: true, liabilities: true, revenue: false), isSystem: true),
            XeroTaxRate(name: "15% GST on Income", taxType: salesTaxType, reportTaxType: "OUTPUT", components: gst(15),
                        applicability: Flags(assets: true, equity: true, expenses: false, liabilities: true, revenue: true), isSystem: true),
            XeroTaxRate(name: "GST on Imports", taxType: "GSTONIMPORTS", reportTaxType: "GSTONIMPORTS", components: gst(0),
                        applicability: liabilitiesOnly, isSystem: true),
            XeroTaxRate(name: "No GST", taxType: noTaxType, reportTaxType: "NONE", components: gst(0), applicability: .all, isSystem: true),
            XeroTaxRate(name: "Zero Rated", taxType: "ZERORATED", reportTaxType: "OUTPUT", components: gst(0),
                        applicability: Flags(assets: false, equity: false, expenses: false, liabilities: true, revenue: true), isSystem: true),
        ]
    }

    /// (Code, Name, Type, TaxType, SystemAccount)
    private static let chart: [(String, String, String, String, String?)] = [
        ("200", "Sales", "REVENUE", salesTaxType, nil),
        ("260", "Other Revenue", "REVENUE", salesTaxType, nil),
        ("270", "Interest Income", "REVENUE", noTaxType, nil),
        ("310", "Cost of Goods Sold", "DIRECTCOSTS", purchasesTaxType, nil),
        ("400", "Advertising", "OVERHEADS", purchasesTaxType, nil),
        ("404", "Bank Fees", "OVERHEADS", noTaxType, nil),
        ("408", "Cleaning", "OVERHEADS", purchasesTaxType, nil),
        ("412", "Consulting & Accounting", "OVERHEADS", purchasesTaxType, nil),
        ("416", "Depreciation", "DEPRECIATN", noTaxType, nil),
        ("420", "Entertainment", "OVERHEADS", purchasesTaxType, nil),
        ("425", "Freight & Courier", "OVERHEADS", purchasesTaxType, nil),
        ("429", "General Expenses", "OVERHEADS", purchasesTaxType, nil),
        ("433", "Insurance", "OVERHEADS", purchasesTaxType, nil),
        ("437", "Interest Expense", "OVERHEADS", noTaxType, nil),
        ("441", "Legal Expenses", "OVERHEADS", purchasesTaxType, nil),
        ("445", "Light, Power, Heating", "OVERHEADS", purchasesTaxType, nil),
        ("449", "Motor Vehicle Expenses", "OVERHEADS", purchasesTaxType, nil),
        ("453", "Office Expenses", "OVERHEADS", purchasesTaxType, nil),
        ("461", "Printing & Stationery", "OVERHEADS", purchasesTaxType, nil),
        ("469", "Rent", "OVERHEADS", purchasesTaxType, nil),
        ("473", "Repairs and Maintenance", "OVERHEADS", purchasesTaxType, nil),
        ("477", "Wages and Salaries", "EXPENSE", noTaxType, nil),
        ("485", "Subscriptions", "OVERHEADS", purchasesTaxType, nil),
        ("489", "Telephone & Internet", "OVERHEADS", purchasesTaxType, nil),
        ("493", "Travel - National", "OVERHEADS", purchasesTaxType, nil),
        ("494", "Travel - International", "OVERHEADS", noTaxType, nil),
        ("497", "Bank Revaluations", "OVERHEADS", noTaxType, "BANKCURRENCYGAIN"),
        ("498", "Unrealised Currency Gains", "OVERHEADS", noTaxType, "UNREALISEDCURRENCYGAIN"),
        ("499", "Realised Currency Gains", "OVERHEADS", noTaxType, "REALISEDCURRENCYGAIN"),
        ("505", "Income Tax Expense", "EXPENSE", noTaxType, nil),
        ("610", "Accounts Receivable", "CURRENT", noTaxType, "DEBTORS"),
        ("620", "Prepayments", "CURRENT", noTaxType, nil),
        ("630", "Inventory", "INVENTORY", noTaxType, nil),
        ("710", "Office Equipment", "FIXED", purchasesTaxType, nil),
        ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", noTaxType, nil),
        ("720", "Computer Equipment", "FIXED", purchasesTaxType, nil),
        ("721", "Less Accumulated Depreciation on Computer Equipment", "FIXED", noTaxType, nil),
        ("800", "Accounts Payable", "CURRLIAB", noTaxType, "CREDITORS"),
        ("801", "Unpaid Expense Claims", "CURRLIAB", noTaxType, "UNPAIDEXPCLM"),
        ("820", "GST", "CURRLIAB", noTaxType, "GST"),
        ("825", "PAYE Payable", "CURRLIAB", noTaxType, nil),
        ("830", "Income Tax", "CURRLIAB", noTaxType, nil),
        ("840", "Historical Adjustment", "CURRLIAB", noTaxType, "HISTORICAL"),
        ("850", "Suspense", "CURRLIAB", noTaxType, nil),
        ("860", "Rounding", "CURRLIAB", noTaxType, "ROUNDING"),
        ("877", "Tracking Transfers", "CURRLIAB", noTaxType, "TRACKINGTRANSFERS"),
        ("880", "Owner A Drawings", "CURRLIAB", noTaxType, nil),
        ("881", "Owner A Funds Introduced", "CURRLIAB", noTaxType, nil),
        ("900", "Loan", "TERMLIAB", noTaxType, nil),
        ("960", "Retained Earnings", "EQUITY", noTaxType, "RETAINEDEARNINGS"),
        ("970", "Owner A Share Capital", "EQUITY", noTaxType, nil),
    ]

    private static let descriptions: [String: String] = [
        "200": "Income from any normal business activity",
        "260": "Any other income that does not relate to normal business activities and is not recurring",
        "310": "Cost of goods sold by the business",
        "610": "Outstanding invoices the company has issued out to the client but has not yet received in cash at balance date.",
        "630": "Value of tracked inventory items for resale.",
        "800": "Outstanding invoices the company has received from suppliers but has not yet paid at balance date",
        "860": "An account for recording rounding differences",
    ]

    /// The chart, bank accounts first, with ids drawn from `random` so the same seed gives the same ids.
    static func accounts(currency: String, random: inout SeededGenerator) -> [XeroAccount] {
        var result = [
            XeroAccount(id: random.nextUUID(), code: "090", name: "Business Bank Account", type: "BANK", taxType: noTaxType,
                        bankAccountNumber: "0201231234567001", currencyCode: currency),
            XeroAccount(id: random.nextUUID(), code: "091", name: "Business Savings Account", type: "BANK", taxType: noTaxType,
                        bankAccountNumber: "0209087654321050", currencyCode: currency),
        ]
        for (code, name, type, taxType, system) in chart {
            var account = XeroAccount(id: random.nextUUID(), code: code, name: name, type: type, taxType: taxType,
                                      description: descriptions[code], systemAccount: system)
            account.ShowInExpenseClaims = type == "OVERHEADS" && system == nil
            result.append(account)
        }
        return result
    }
}
