import Foundation

/// A stock adjustment, `/stockadjustment` (apib:24999-25318). Each line gives a
/// product's new quantity at a location: one where stock is already on hand
/// lists as an `ExistingStockLines` row (`QuantityOnHand` now, `Adjustment` the
/// new value), one where there is none as a `NewStockLines` row at its
/// `UnitCost`. Nothing moves while DRAFT; COMPLETED sets the quantities and
/// posts the change in value between the inventory account and `Account`.
struct Cin7StockAdjustment: Cin7Stored {
    struct ExistingLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var SKU: String
        var ProductName: String
        var QuantityOnHand: Decimal
        var Available: Decimal
        var Adjustment: Decimal
        var LocationID: String
        var Location: String
        var BatchSN: String?
        var ExpiryDate: Cin7Day?
        var Comments: String
        var productFields: Cin7ProductFields
    }

    struct NewLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var SKU: String
        var ProductName: String
        var Quantity: Decimal
        var UnitCost: Decimal
        var LocationID: String
        var Location: String
        var BatchSN: String?
        var ExpiryDate: Cin7Day?
        var ReceivedDate: Cin7Day
        var Comments: String
        var productFields: Cin7ProductFields
    }

    /// What completing did to one product at one location, so that void and undo can take it back.
    struct Applied: Sendable, Equatable {
        var productID: String
        var location: String
        var quantity: Decimal
        var unitCost: Decimal
    }

    var TaskID: String
    var EffectiveDate: Cin7Day
    var StocktakeNumber: String
    var Status = "DRAFT"
    var Account: String
    var Reference = ""
    var ExistingStockLines: [ExistingLine] = []
    var NewStockLines: [NewLine] = []
    var Transactions: [Cin7StockPosting] = []
    var _updateOnHand = true
    var _applied: [Applied] = []

    var key: String { TaskID }
}

/// One row of `StockAdjustmentList` (apib:24937).
struct Cin7StockAdjustmentRow: Cin7Record, Sendable {
    var TaskID: String
    var EffectiveDate: Cin7Day
    var StocktakeNumber: String
    var Status: String
    var Account: String
    var Reference: String
}

/// The body of `POST`/`PUT /stockadjustment` (apib:25015 "Available Fields for Post/Put").
struct Cin7StockAdjustmentInput: Decodable {
    var TaskID: String?
    var EffectiveDate: String?
    var Status: String?
    var Account: LenientString?
    var Reference: String?
    var UpdateOnHand: LenientBool?
    var Lines: [Cin7LineInput]?
}
