import Foundation

/// What a client may send for a product: every field optional (absent and
/// null alike leave a field as it was on PUT), read-only ones (`AverageCost`,
/// `LastModifiedOn`, `BOMType`, `Movements`, `Attachments`) ignored.
struct Cin7ProductInput: Decodable {
    struct Supplier: Decodable {
        var SupplierID: String?
        var SupplierName: String?
        var SupplierInventoryCode: LenientString?
        var SupplierProductName: String?
        var Cost: LenientDecimal?
        var FixedCost: LenientDecimal?
        var DropShip: LenientBool?
        var URL: String?
        var SupplierProductURL: String?
    }

    struct ReorderLevel: Decodable {
        var LocationID: String?
        var LocationName: String?
        var MinimumBeforeReorder: LenientDecimal?
        var ReorderQuantity: LenientDecimal?
        var StockLocator: String?
        var PickZones: String?
    }

    struct BOMProduct: Decodable {
        var ComponentProductID: String?
        var ProductCode: String?
        var Quantity: LenientDecimal?
        var WastagePercent: LenientDecimal?
        var WastageQuantity: LenientDecimal?
        var CostPercentage: LenientDecimal?
    }

    struct BOMService: Decodable {
        var ComponentProductID: String?
        var Name: String?
        var Quantity: LenientDecimal?
        var ExpenseAccount: LenientString?
        var PriceTier: LenientDecimal?
    }

    var ID: String?
    var SKU: LenientString?
    var Name: String?
    var Category: String?
    var Brand: String?
    var `Type`: String?
    var CostingMethod: String?
    var DropShipMode: String?
    var DefaultLocation: String?
    var Length: LenientDecimal?
    var Width: LenientDecimal?
    var Height: LenientDecimal?
    var Weight: LenientDecimal?
    var UOM: String?
    var WeightUnits: String?
    var DimensionsUnits: String?
    var Barcode: LenientString?
    var MinimumBeforeReorder: LenientDecimal?
    var ReorderQuantity: LenientDecimal?
    var PriceTier1: LenientDecimal?
    var PriceTier2: LenientDecimal?
    var PriceTier3: LenientDecimal?
    var PriceTier4: LenientDecimal?
    var PriceTier5: LenientDecimal?
    var PriceTier6: LenientDecimal?
    var PriceTier7: LenientDecimal?
    var PriceTier8: LenientDecimal?
    var PriceTier9: LenientDecimal?
    var PriceTier10: LenientDecimal?
    var PriceTiers: [String: LenientDecimal]?
    var ShortDescription: String?
    var Description: String?
    var InternalNote: String?
    var AdditionalAttribute1: LenientString?
    var AdditionalAttribute2: LenientString?
    var AdditionalAttribute3: LenientString?
    var AdditionalAttribute4: LenientString?
    var AdditionalAttribute5: LenientString?
    var AdditionalAttribute6: LenientString?
    var AdditionalAttribute7: LenientString?
    var AdditionalAttribute8: LenientString?
    var AdditionalAttribute9: LenientString?
    var AdditionalAttribute10: LenientString?
    var AttributeSet: String?
    var DiscountRule: String?
    var Tags: String?
    var Status: String?
    var StockLocator: String?
    var COGSAccount: LenientString?
    var RevenueAccount: LenientString?
    var ExpenseAccount: LenientString?
    var InventoryAccount: LenientString?
    var PurchaseTaxRule: String?
    var SaleTaxRule: String?
    var Sellable: LenientBool?
    var PickZones: String?
    var BillOfMaterial: LenientBool?
    var AutoAssembly: LenientBool?
    var AutoDisassembly: LenientBool?
    var QuantityToProduce: LenientDecimal?
    var AssemblyInstructionURL: String?
    var AssemblyCostEstimationMethod: String?
    var CartonHeight: LenientDecimal?
    var CartonWidth: LenientDecimal?
    var CartonLength: LenientDecimal?
    var CartonQuantity: LenientDecimal?
    var CartonInnerQuantity: LenientDecimal?
    var HSCode: LenientString?
    var CountryOfOrigin: String?
    var CountryOfOriginCode: String?
    var Suppliers: [Supplier]?
    var ReorderLevels: [ReorderLevel]?
    var BillOfMaterialsProducts: [BOMProduct]?
    var BillOfMaterialsServices: [BOMService]?

    var priceTiers: [Decimal?] {
        [PriceTier1, PriceTier2, PriceTier3, PriceTier4, PriceTier5, PriceTier6, PriceTier7, PriceTier8, PriceTier9, PriceTier10].map { $0?.value }
    }

    var attributes: [String?] {
        [AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5,
         AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10].map { $0?.value }
    }
}
