import Foundation

/// A TaxRate as the Accounting API sends it (xero_accounting.yaml `TaxRate`).
/// Keyed by `TaxType` (`OUTPUT2`, user rates `TAX001`…), not by a GUID, and
/// without `UpdatedDateUTC`: the table's id and stamp stay internal.
struct XeroTaxRate: XeroEntity {
    static let collection = "TaxRates"

    struct Component: Codable, Sendable, Equatable {
        var Name: String
        var Rate: XeroRate
        var IsCompound: Bool
        var IsNonRecoverable: Bool
    }

    /// Which account classes a rate may be used with (the `CanApplyTo…` fields).
    struct Applicability: Sendable, Equatable {
        var assets, equity, expenses, liabilities, revenue: Bool

        static let all = Applicability(assets: true, equity: true, expenses: true, liabilities: true, revenue: true)

        /// For rates a client creates: sales rates cannot be used on expenses,
        /// purchase rates not on revenue (as the spec's examples for OUTPUT2 and INPUT2 show).
        static func of(reportTaxType: String?) -> Applicability {
            var flags = Applicability.all
            switch reportTaxType {
            case "OUTPUT", "SALESOUTPUT", "ECOUTPUT", "ECOUTPUTSERVICES", "EXEMPTOUTPUT", "CAPITALSALESOUTPUT":
                flags.expenses = false
            case "INPUT", "PURCHASESINPUT", "ECINPUT", "EXEMPTINPUT", "EXEMPTEXPENSES", "CAPITALEXPENSESINPUT", "INPUTTAXED":
                flags.revenue = false
            case "GSTONIMPORTS":
                flags = Applicability(assets: false, equity: false, expenses: false, liabilities: true, revenue: false)
            default:
                break
            }
            return flags
        }

        func allows(accountClass: String) -> Bool {
            switch accountClass {
            case "ASSET": assets
            case "EQUITY": equity
            case "EXPENSE": expenses
            case "LIABILITY": liabilities
            case "REVENUE": revenue
            default: false
            }
        }
    }

    /// The spec's `ReportTaxType` enum: the SDK refuses any other value.
    static let reportTaxTypes: Set<String> = [
        "AVALARA", "BASEXCLUDED", "CAPITALSALESOUTPUT", "CAPITALEXPENSESINPUT", "ECOUTPUT", "ECOUTPUTSERVICES", "ECINPUT",
        "ECACQUISITIONS", "EXEMPTEXPENSES", "EXEMPTINPUT", "EXEMPTOUTPUT", "GSTONIMPORTS", "INPUT", "INPUTTAXED",
        "MOSSSALES", "NONE", "NONEOUTPUT", "OUTPUT", "PURCHASESINPUT", "SALESOUTPUT", "EXEMPTCAPITAL", "EXEMPTEXPORT",
        "CAPITALEXINPUT", "GSTONCAPIMPORTS", "GSTONCAPITALIMPORTS", "REVERSECHARGES", "PAYMENTS", "INVOICE", "CASH",
        "ACCRUAL", "FLATRATECASH", "FLATRATEACCRUAL", "ACCRUALS", "TXCA", "SRCAS", "DSOUTPUT", "BLINPUT2", "EPINPUT",
        "IMINPUT2", "MEINPUT", "IGDSINPUT2", "ESN33OUTPUT", "OPINPUT", "OSOUTPUT", "TXN33INPUT", "TXESSINPUT", "TXREINPUT",
        "TXPETINPUT", "NRINPUT", "ES33OUTPUT", "ZERORATEDINPUT", "ZERORATEDOUTPUT", "DRCHARGESUPPLY", "DRCHARGE",
        "CAPINPUT", "CAPIMPORTS", "IMINPUT", "INPUT2", "CIUINPUT", "SRINPUT", "OUTPUT2", "SROUTPUT", "CAPOUTPUT",
        "SROUTPUT2", "CIUOUTPUT", "ZROUTPUT", "ZREXPORT", "ACC28PLUS", "ACCUPTO28", "OTHEROUTPUT", "SHOUTPUT", "ZRINPUT",
        "BADDEBT", "OTHERINPUT", "BADDEBTRELIEF", "IGDSINPUT3", "SROVR", "TOURISTREFUND", "TXRCN33", "TXRCRE", "TXRCESS",
        "TXRCTS", "CAPEXINPUT", "UNDEFINED", "CAPEXOUTPUT", "ZEROEXPOUTPUT", "GOODSIMPORT", "NONEINPUT", "NOTREPORTED",
        "SROVRRS", "SROVRLVG", "SRLVG", "IM", "IMESS", "IMN33", "IMRE", "BADDEBTRECOVERY", "USSALESTAX", "BLINPUT3",
    ]

    var key = UUID()
    var Name: String
    var TaxType: String
    var ReportTaxType: String?
    var CanApplyToAssets = true
    var CanApplyToEquity = true
    var CanApplyToExpenses = true
    var CanApplyToLiabilities = true
    var CanApplyToRevenue = true
    var DisplayTaxRate = XeroRate(0)
    var EffectiveRate = XeroRate(0)
    var Status = "ACTIVE"
    var TaxComponents: [Component]
    var updated: XeroDate?
    /// A rate the organisation came with: its components, report type and
    /// status are the tax authority's, not the client's.
    var isSystem = false

    enum CodingKeys: String, CodingKey {
        case Name, TaxType, ReportTaxType, CanApplyToAssets, CanApplyToEquity, CanApplyToExpenses, CanApplyToLiabilities,
             CanApplyToRevenue, DisplayTaxRate, EffectiveRate, Status, TaxComponents
    }

    var id: UUID { key }
    var updatedDateUTC: XeroDate? {
        get { updated }
        set { updated = newValue }
    }

    init(name: String, taxType: String, reportTaxType: String?, components: [Component],
         applicability: Applicability? = nil, isSystem: Bool = false) {
        Name = name
        TaxType = taxType
        ReportTaxType = reportTaxType
        TaxComponents = components
        self.isSystem = isSystem
        applicable = applicability ?? .of(reportTaxType: reportTaxType)
        deriveRates()
    }

    var applicable: Applicability {
        get { Applicability(assets: CanApplyToAssets, equity: CanApplyToEquity, expenses: CanApplyToExpenses,
                            liabilities: CanApplyToLiabilities, revenue: CanApplyToRevenue) }
        set {
            CanApplyToAssets = newValue.assets
            CanApplyToEquity = newValue.equity
            CanApplyToExpenses = newValue.expenses
            CanApplyToLiabilities = newValue.liabilities
            CanApplyToRevenue = newValue.revenue
        }
    }

    /// `DisplayTaxRate` is the components' sum; `EffectiveRate` applies each
    /// compound component to the amount plus the tax before it (Canada's QST
    /// on top of GST: 5 + 9.975 × 1.05 = 15.4738).
    mutating func deriveRates() {
        var display = Decimal(0)
        var effective = Decimal(0)
        for component in TaxComponents where !component.IsCompound {
            display += component.Rate.value
            effective += component.Rate.value
        }
        for component in TaxComponents where component.IsCompound {
            display += component.Rate.value
            effective += component.Rate.value * (100 + effective) / 100
        }
        DisplayTaxRate = XeroRate(display)
        EffectiveRate = XeroRate(effective)
    }
}

/// What a client may send for a tax rate. `TaxType` names the rate to update;
/// the derived fields (`CanApplyTo…`, `DisplayTaxRate`, `EffectiveRate`) are not read.
struct XeroTaxRateInput: Decodable {
    struct Component: Decodable {
        var Name: String?
        var Rate: XeroRate?
        var IsCompound: Bool?
        var IsNonRecoverable: Bool?
    }

    var Name: String?
    var TaxType: String?
    var TaxComponents: [Component]?
    var Status: String?
    var ReportTaxType: String?
}
