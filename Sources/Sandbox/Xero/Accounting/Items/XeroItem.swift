import Foundation

/// An Item as the Accounting API sends it (xero_accounting.yaml `Item`, in the
/// field order of its examples). Untracked items are price/account templates;
/// tracked ones carry the stock figures Xero maintains from documents.
struct XeroItem: XeroEntity {
    static let collection = "Items"

    /// `Purchase` in the spec: the sales or purchase side of an item; `{}` when empty.
    struct Details: Codable, Sendable, Equatable {
        var UnitPrice: XeroUnitAmount?
        var AccountCode: String?
        var COGSAccountCode: String?
        var TaxType: String?

        static let empty = Details()
    }

    @LowercaseID var ItemID: UUID
    var Code: String
    var Description: String?
    var PurchaseDescription: String?
    var UpdatedDateUTC: XeroDate?
    var PurchaseDetails: Details
    var SalesDetails: Details
    var Name: String?
    /// Derived: an INVENTORY asset account and a COGS account make an item tracked.
    var IsTrackedAsInventory: Bool
    var InventoryAssetAccountCode: String?
    /// Tracked items only, and only documents change them (never /Items).
    var TotalCostPool: XeroMoney?
    var QuantityOnHand: XeroRate?
    /// Spec 16.2.0 and later (the SDK knows them): on hand less on back order.
    var QuantityAvailable: XeroRate?
    var QuantityOnBackOrder: XeroRate?
    var IsSold: Bool
    var IsPurchased: Bool

    var id: UUID { ItemID }
    var lookupKey: String? { Code.lowercased() }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set { UpdatedDateUTC = newValue }
    }

    init(id: UUID, code: String) {
        ItemID = id
        Code = code
        PurchaseDetails = .empty
        SalesDetails = .empty
        IsTrackedAsInventory = false
        IsSold = true
        IsPurchased = true
    }

    /// Every account code the item refers to.
    var accountCodes: [String] {
        [SalesDetails.AccountCode, PurchaseDetails.AccountCode, PurchaseDetails.COGSAccountCode, InventoryAssetAccountCode].compactMap { $0 }
    }
}

/// What a client may send for an item. `IsTrackedAsInventory`, `QuantityOnHand`,
/// `TotalCostPool` and the other derived fields are not read.
struct XeroItemInput: Decodable {
    var ItemID: UUID?
    var Code: String?
    var Name: String?
    var Description: String?
    var PurchaseDescription: String?
    var PurchaseDetails: XeroItem.Details?
    var SalesDetails: XeroItem.Details?
    var InventoryAssetAccountCode: String?
    var IsSold: Bool?
    var IsPurchased: Bool?
}
