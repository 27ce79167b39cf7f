import Foundation

/// A product, `/product` (apib:4921-5770). Field order is the blueprint's GET
/// example's. The six collections a list includes only when asked
/// (`IncludeSuppliers`, `IncludeBOM`…) are kept out of the cached JSON and
/// appended per call (`Cin7Company.productJSON`).
struct Cin7Product: Cin7Stored {
    struct Supplier: Cin7Record, Sendable {
        var SupplierID: String
        var SupplierName: String
        var SupplierInventoryCode: String
        var SupplierProductName: String
        var Cost: Decimal
        var FixedCost: Decimal
        var Currency: String
        var DropShip: Bool
        var URL: String
    }

    struct ReorderLevel: Cin7Record, Sendable {
        var LocationID: String
        var LocationName: String
        var MinimumBeforeReorder: Decimal
        var ReorderQuantity: Decimal
        var StockLocator: String
        var PickZones: String
    }

    struct BOMProduct: Cin7Record, Sendable {
        var ComponentProductID: String
        var ProductCode: String
        var Name: String
        var Quantity: Decimal
        var WastagePercent: Decimal
        var WastageQuantity: Decimal
        var CostPercentage: Decimal
    }

    struct BOMService: Cin7Record, Sendable {
        var ComponentProductID: String
        var Name: String
        var Quantity: Decimal
        var ExpenseAccount: String
        var PriceTier: Decimal
    }

    /// `PriceTiers`: the ten tiers by their names (`"Tier 1": 8`), in tier order.
    struct PriceTierSet: Encodable, Sendable {
        var names: [String]
        var prices: [Decimal]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Cin7Key.self)
            for (name, price) in zip(names, prices) { try container.encode(price, forKey: Cin7Key(name)) }
        }
    }

    var ID: String
    var SKU: String
    var Name: String
    var Category: String
    var Brand: String?
    var `Type`: String
    var CostingMethod: String
    var DropShipMode: String
    var DefaultLocation: String
    var Length: Decimal = 0
    var Width: Decimal = 0
    var Height: Decimal = 0
    var Weight: Decimal = 0
    var UOM: String
    var WeightUnits: String?
    var DimensionsUnits: String?
    var Barcode: String = ""
    var MinimumBeforeReorder: Decimal = 0
    var ReorderQuantity: Decimal = 0
    var PriceTier1: Decimal = 0
    var PriceTier2: Decimal = 0
    var PriceTier3: Decimal = 0
    var PriceTier4: Decimal = 0
    var PriceTier5: Decimal = 0
    var PriceTier6: Decimal = 0
    var PriceTier7: Decimal = 0
    var PriceTier8: Decimal = 0
    var PriceTier9: Decimal = 0
    var PriceTier10: Decimal = 0
    var PriceTiers: PriceTierSet
    /// Read-only: kept by the company from the product's stock.
    var AverageCost: Decimal = 0
    var ShortDescription: String = ""
    var Description: String = ""
    var InternalNote: String = ""
    var AdditionalAttribute1: String = ""
    var AdditionalAttribute2: String = ""
    var AdditionalAttribute3: String = ""
    var AdditionalAttribute4: String = ""
    var AdditionalAttribute5: String = ""
    var AdditionalAttribute6: String = ""
    var AdditionalAttribute7: String = ""
    var AdditionalAttribute8: String = ""
    var AdditionalAttribute9: String = ""
    var AdditionalAttribute10: String = ""
    var AttributeSet: String?
    var DiscountRule: String?
    var Tags: String = ""
    var Status: String
    var StockLocator: String = ""
    var COGSAccount: String?
    var RevenueAccount: String?
    var ExpenseAccount: String?
    var InventoryAccount: String?
    var PurchaseTaxRule: String?
    var SaleTaxRule: String?
    var LastModifiedOn: Cin7Timestamp
    var Sellable: Bool = true
    var PickZones: String = ""
    var BillOfMaterial: Bool = false
    var AutoAssembly: Bool = false
    var AutoDisassembly: Bool = false
    var QuantityToProduce: Decimal = 0
    var AssemblyInstructionURL: String = ""
    var AssemblyCostEstimationMethod: String = ""
    var CartonHeight: Decimal = 0
    var CartonWidth: Decimal = 0
    var CartonLength: Decimal = 0
    var CartonQuantity: Decimal = 0
    var CartonInnerQuantity: Decimal = 0
    var HSCode: String = ""
    var CountryOfOrigin: String = ""
    var CountryOfOriginCode: String = ""
    var _suppliers: [Supplier] = []
    var _reorderLevels: [ReorderLevel] = []
    var _bomProducts: [BOMProduct] = []
    var _bomServices: [BOMService] = []

    var key: String { ID }
    var isDeprecated: Bool { Status == "Deprecated" }
    var isStock: Bool { Type == "Stock" }

    static let types = ["Stock", "Service"]
    static let costingMethods = ["FIFO", "Special - Batch", "Special - Serial Number", "FIFO - Serial Number", "FIFO - Batch",
                                 "FEFO - Batch", "FEFO - Serial Number"]
    static let dropShipModes = ["No Drop Ship", "Optional Drop Ship", "Always Drop Ship"]

    var priceTierValues: [Decimal] {
        get { [PriceTier1, PriceTier2, PriceTier3, PriceTier4, PriceTier5, PriceTier6, PriceTier7, PriceTier8, PriceTier9, PriceTier10] }
        set {
            (PriceTier1, PriceTier2, PriceTier3, PriceTier4, PriceTier5) = (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4])
            (PriceTier6, PriceTier7, PriceTier8, PriceTier9, PriceTier10) = (newValue[5], newValue[6], newValue[7], newValue[8], newValue[9])
            PriceTiers.prices = newValue
        }
    }

    var attributes: [String] {
        get {
            [AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5,
             AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10]
        }
        set {
            (AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5) =
                (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4])
            (AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10) =
                (newValue[5], newValue[6], newValue[7], newValue[8], newValue[9])
        }
    }
}
