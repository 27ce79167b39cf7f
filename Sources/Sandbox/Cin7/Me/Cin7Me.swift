import Foundation

/// `GET /me`: the company behind the Account ID (apib:3743-3824). Clients call
/// it to check their credentials.
struct Cin7Me: Cin7Record, Sendable {
    struct RoundingRow: Cin7Record, Sendable {
        var RangeTo: Decimal
        var RoundToNearest: Decimal
        var AdjustmentRule: String
        var AdjustmentValue: Decimal
    }

    var Company: String
    var Currency: String
    var TimeZone: String
    var DefaultWeightUnits: String
    var DefaultDimensionsUnits: String
    /// "Formatted in Tenant date format"; null until a lock date is set.
    var LockDate: String?
    var OpeningBalanceDate: Cin7Day
    var TaxCalculationMethod: String
    var DefaultSaleTaxRuleId: String
    var DefaultSaleTaxRuleName: String
    var MaximumDecimalPlacesInQuantity: String
    var ApplyCustomerDiscountsAfterOtherDiscounts: Bool
    var DiscountRule: String
    var AutomaticallyApplyDiscounts: Bool
    var RoundingTable: [RoundingRow]
}

extension Cin7Company {
    func getMe() -> [UInt8] {
        Cin7JSON.encode(me)
    }
}
