import Foundation

/// Stock of one product in one place: location, bin and batch. What
/// `/ref/productavailability` reports, one row each.
public struct Cin7StockLevel: Sendable, Equatable {
    public var productID: String
    public var location: String
    public var bin: String?
    public var batch: String?
    public var expiryDate: Date?
    public var onHand: Decimal
    public var allocated: Decimal
    public var onOrder: Decimal
    public var inTransit: Decimal
    /// The unit cost of what is on hand: `StockOnHand` is its value.
    public var unitCost: Decimal

    public init(productID: String, location: String, bin: String? = nil, batch: String? = nil, expiryDate: Date? = nil,
                onHand: Decimal, allocated: Decimal = 0, onOrder: Decimal = 0, inTransit: Decimal = 0, unitCost: Decimal) {
        self.productID = productID.lowercased()
        self.location = location
        self.bin = bin
        self.batch = batch
        self.expiryDate = expiryDate
        self.onHand = onHand
        self.allocated = allocated
        self.onOrder = onOrder
        self.inTransit = inTransit
        self.unitCost = unitCost
    }

    func sameSlot(as other: Cin7StockLevel) -> Bool {
        productID == other.productID && location.cin7Equals(other.location) && bin == other.bin && batch == other.batch
    }
}

/// One row of `ProductAvailabilityList` (apib:5873-5994).
struct Cin7AvailabilityRow: Cin7Record, Sendable {
    var ID: String
    var SKU: String
    var Name: String
    var Barcode: String?
    var Location: String
    var Bin: String?
    var Batch: String?
    var ExpiryDate: Cin7Day?
    var OnHand: Decimal
    var Allocated: Decimal
    var Available: Decimal
    var OnOrder: Decimal
    var StockOnHand: Decimal
    var InTransit: Decimal
}

/// `GET /ref/productavailability` (paged; `ID`, `Name` starts with, `Sku`
/// exact, `Location`, `Batch`, `Category`). Read-only: rows come from stock.
extension Cin7Company {
    static let availabilityKey = "ProductAvailabilityList"

    func listAvailability(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        let name = Cin7Query.text(request, "Name")
        let sku = Cin7Query.text(request, "Sku")
        let location = Cin7Query.text(request, "Location")
        let batch = Cin7Query.text(request, "Batch")
        let category = Cin7Query.text(request, "Category")
        let (page, limit) = try Cin7Query.paging(request)
        var rows: [Cin7AvailabilityRow] = []
        for product in products.all where product.isStock && !product.isDeprecated {
            guard id.map({ product.ID == $0 }) ?? true, name.map({ product.Name.cin7StartsWith($0) }) ?? true,
                  sku.map({ product.SKU.cin7Equals($0) }) ?? true, category.map({ product.Category.cin7Equals($0) }) ?? true else { continue }
            var levels = stock.filter { $0.productID == product.ID }
            // A stock product with no stock yet shows one empty row at its default location.
            if levels.isEmpty { levels = [Cin7StockLevel(productID: product.ID, location: product.DefaultLocation, onHand: 0, unitCost: 0)] }
            for level in levels {
                guard location.map({ level.location.cin7Equals($0) }) ?? true, batch.map({ level.batch?.cin7Equals($0) == true }) ?? true else { continue }
                rows.append(.init(ID: product.ID, SKU: product.SKU, Name: product.Name, Barcode: product.Barcode.isEmpty ? nil : product.Barcode,
                                  Location: level.location, Bin: level.bin, Batch: level.batch, ExpiryDate: level.expiryDate.map(Cin7Day.init),
                                  OnHand: level.onHand, Allocated: level.allocated, Available: level.onHand - level.allocated,
                                  OnOrder: level.onOrder, StockOnHand: Cin7Number.rounded(level.onHand * level.unitCost, places: 4),
                                  InTransit: level.inTransit))
            }
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.availabilityKey, items, total: rows.count, page: page)
    }
}
