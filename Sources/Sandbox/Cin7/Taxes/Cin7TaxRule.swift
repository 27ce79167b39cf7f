import Foundation

/// A taxation rule, `/ref/tax` (apib:27018-27260). Customers, suppliers,
/// products and document lines refer to it by `Name`.
struct Cin7TaxRule: Cin7Stored {
    /// A component's numbers are strings on the wire (`"10.0000000000"`,
    /// `"1"`), and its `ID` upper-case, as the blueprint's examples show.
    struct Component: Cin7Record, Sendable {
        var ID: String
        var Name: String
        var Percent: String
        var AccountCode: String
        var Compound: String
        var ComponentOrder: String
        var _percent: Decimal
        var _order: Int
    }

    var ID: String
    var Name: String
    var Account: String
    var IsActive: Bool
    var TaxInclusive: Bool
    /// Read-only: the sum of the components' percentages (the PUT example: 20 + 35 = 55).
    var TaxPercent: Decimal
    var IsTaxForSale: Bool
    var IsTaxForPurchase: Bool
    var Components: [Component]

    var key: String { ID }
}

struct Cin7TaxRuleInput: Decodable {
    struct Component: Decodable {
        var ID: String?
        var Name: String?
        var Percent: LenientDecimal?
        var AccountCode: LenientString?
        var Compound: LenientBool?
        var ComponentOrder: LenientDecimal?
    }

    var ID: String?
    var Name: String?
    var Account: LenientString?
    var IsActive: LenientBool?
    var TaxInclusive: LenientBool?
    var IsTaxForSale: LenientBool?
    var IsTaxForPurchase: LenientBool?
    var Components: [Component]?
}
