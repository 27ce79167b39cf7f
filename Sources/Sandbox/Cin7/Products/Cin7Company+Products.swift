import Foundation

/// `/product`: list (paged; `ID`, `Name` and `Sku` "containing" the value,
/// `ModifiedSince`, `IncludeDeprecated`, the `Include…` flags), create, update
/// by `ID`; no DELETE — a product is deprecated instead.
extension Cin7Company {
    static let productsKey = "Products"

    /// Which optional collections a list includes.
    struct ProductIncludes {
        var bom = false, suppliers = false, movements = false, attachments = false, reorderLevels = false, customPrices = false

        static let all = ProductIncludes(bom: true, suppliers: true, movements: true, attachments: true, reorderLevels: true, customPrices: false)

        init(bom: Bool = false, suppliers: Bool = false, movements: Bool = false, attachments: Bool = false, reorderLevels: Bool = false, customPrices: Bool = false) {
            (self.bom, self.suppliers, self.movements, self.attachments, self.reorderLevels, self.customPrices) =
                (bom, suppliers, movements, attachments, reorderLevels, customPrices)
        }

        init(_ request: SandboxRequest) throws(Cin7Failure) {
            bom = try Cin7Query.flag(request, "IncludeBOM") ?? false
            suppliers = try Cin7Query.flag(request, "IncludeSuppliers") ?? false
            movements = try Cin7Query.flag(request, "IncludeMovements") ?? false
            attachments = try Cin7Query.flag(request, "IncludeAttachments") ?? false
            reorderLevels = try Cin7Query.flag(request, "IncludeReorderLevels") ?? false
            customPrices = try Cin7Query.flag(request, "IncludeCustomPrices") ?? false
        }
    }

    func listProducts(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        // The blueprint's parameter list says "containing" for both (its introduction says "starting with" for Sku).
        let name = Cin7Query.text(request, "Name")
        let sku = Cin7Query.text(request, "Sku")
        let since = try Cin7Query.date(request, "ModifiedSince")
        let includeDeprecated = try Cin7Query.flag(request, "IncludeDeprecated") ?? false
        let includes = try ProductIncludes(request)
        let keys = products.all.filter { product in
            (id.map { product.ID == $0 } ?? (includeDeprecated || !product.isDeprecated))
                && (name.map { product.Name.cin7Contains($0) } ?? true)
                && (sku.map { product.SKU.cin7Contains($0) } ?? true)
                && (since.map { product.LastModifiedOn.isAtOrAfter($0) } ?? true)
        }.map(\.key)
        return try page(products, keys, arrayKey: Self.productsKey, request) { key in self.productJSON(key, includes) }
    }

    /// A product's JSON with its collections: those not asked for are sent empty
    /// (Movements and Attachments always are: the sandbox has neither yet);
    /// `CustomPrices` only when asked for, as in the blueprint's examples.
    func productJSON(_ key: String, _ includes: ProductIncludes) -> [UInt8]? {
        guard let product = products[key], let json = products.json(key) else { return nil }
        let empty = Array("[]".utf8)
        var members: [(key: String, json: [UInt8])] = [
            ("Suppliers", includes.suppliers ? Cin7JSON.encode(product._suppliers) : empty),
            ("ReorderLevels", includes.reorderLevels ? Cin7JSON.encode(product._reorderLevels) : empty),
            ("BillOfMaterialsProducts", includes.bom ? Cin7JSON.encode(product._bomProducts) : empty),
            ("BillOfMaterialsServices", includes.bom ? Cin7JSON.encode(product._bomServices) : empty),
            ("Movements", empty),
            ("Attachments", empty),
        ]
        if includes.customPrices {
            let prices = customers.all.flatMap { customer in
                customer._productPrices.filter { $0.ProductID == product.ID }.map {
                    Cin7ProductCustomPrice(ProductID: $0.ProductID, ProductName: product.Name, ProductSKU: product.SKU,
                                           CustomerID: customer.ID, CustomerName: customer.Name, Price: $0.Price)
                }
            }
            members.append(("CustomPrices", Cin7JSON.encode(prices)))
        }
        return Cin7JSON.appending(json, members)
    }

    func createProduct(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7ProductInput.self, from: request.body).get()
        var check = Cin7Validation()
        let type = check.required(input.Type, "Type")
        let canonicalType = Cin7Product.types.first { $0.cin7Equals(type) }
        check.check(type.isEmpty || canonicalType != nil, "Type '\(type)' is not valid. Use Stock or Service.")
        var product = Cin7Product(ID: newID(), SKU: "", Name: "", Category: "", Type: canonicalType ?? type,
                                  CostingMethod: "", DropShipMode: "No Drop Ship", DefaultLocation: books.defaultLocation.name, UOM: "",
                                  PriceTiers: .init(names: books.priceTiers, prices: Array(repeating: 0, count: 10)),
                                  Status: "", LastModifiedOn: stamp())
        product.Status = Cin7Party.status(input.Status, check: &check, required: true) ?? ""
        apply(input, to: &product, check: &check, creating: true)
        try check.finish()
        products.put(product)
        return written(products, product.key, arrayKey: Self.productsKey, json: productJSON(product.key, .all))
    }

    func updateProduct(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7ProductInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID")
        try check.finish()
        guard UUID(uuidString: id) != nil, var product = products[id] else { throw .badRequest("Product with specified ID not found.") }
        // `Type` is read-only for PUT (apib:4945): ignored.
        if let status = Cin7Party.status(input.Status, check: &check, required: false) { product.Status = status }
        apply(input, to: &product, check: &check, creating: false)
        try check.finish()
        product.LastModifiedOn = stamp()
        products.put(product)
        return written(products, product.key, arrayKey: Self.productsKey, json: productJSON(product.key, .all))
    }

    private func apply(_ input: Cin7ProductInput, to product: inout Cin7Product, check: inout Cin7Validation, creating: Bool) {
        if creating || input.SKU != nil {
            product.SKU = check.required(input.SKU?.value, "SKU", maxLength: 50)
            let sku = product.SKU, id = product.ID
            check.check(sku.isEmpty || !products.all.contains { $0.ID != id && $0.SKU.cin7Equals(sku) }, "Product with SKU '\(sku)' already exists.")
        }
        if creating || input.Name != nil { product.Name = check.required(input.Name, "Name", maxLength: 256) }
        if creating || input.Category != nil {
            let category = check.required(input.Category, "Category", maxLength: 256)
            let found = Cin7ReferenceBooks.find(category, in: books.categories)
            check.check(category.isEmpty || found != nil, "Category '\(category)' not found.")
            product.Category = found ?? category
        }
        if creating || input.CostingMethod != nil {
            let method = check.required(input.CostingMethod, "CostingMethod", maxLength: 50)
            let found = Cin7Product.costingMethods.first { $0.cin7Equals(method) }
            check.check(method.isEmpty || found != nil, "CostingMethod '\(method)' is not valid.")
            product.CostingMethod = found ?? method
        }
        if creating || input.UOM != nil {
            let unit = check.required(input.UOM, "UOM", maxLength: 50)
            let found = Cin7ReferenceBooks.find(unit, in: books.units)
            check.check(unit.isEmpty || found != nil, "UOM '\(unit)' not found.")
            product.UOM = found ?? unit
        }
        if let mode = input.DropShipMode {
            let found = Cin7Product.dropShipModes.first { $0.cin7Equals(mode) }
            check.check(found != nil, "DropShipMode '\(mode)' is not valid.")
            product.DropShipMode = found ?? mode
        }
        if let name = input.DefaultLocation {
            let found = books.location(named: name)
            check.check(found != nil, "DefaultLocation '\(name)' not found.")
            product.DefaultLocation = found?.name ?? name
        }
        if let v = input.WeightUnits {
            check.check(v.isEmpty || books.weightUnits.contains(v), "WeightUnits '\(v)' is not valid.")
            product.WeightUnits = v.isEmpty ? nil : v
        }
        if let v = input.DimensionsUnits {
            check.check(v.isEmpty || books.dimensionUnits.contains(v), "DimensionsUnits '\(v)' is not valid.")
            product.DimensionsUnits = v.isEmpty ? nil : v
        }
        if let v = input.Brand { product.Brand = v.isEmpty ? nil : v }
        check.length(product.Brand, "Brand", 50)
        if let v = input.Length { product.Length = v.value }
        if let v = input.Width { product.Width = v.value }
        if let v = input.Height { product.Height = v.value }
        if let v = input.Weight { product.Weight = v.value }
        if let v = input.CartonHeight { product.CartonHeight = v.value }
        if let v = input.CartonWidth { product.CartonWidth = v.value }
        if let v = input.CartonLength { product.CartonLength = v.value }
        if let v = input.CartonQuantity { product.CartonQuantity = v.value }
        if let v = input.CartonInnerQuantity { product.CartonInnerQuantity = v.value }
        if let v = input.MinimumBeforeReorder { product.MinimumBeforeReorder = v.value }
        if let v = input.ReorderQuantity { product.ReorderQuantity = v.value }
        if let v = input.Barcode { product.Barcode = v.value }
        if let v = input.ShortDescription { product.ShortDescription = v }
        if let v = input.Description { product.Description = v }
        if let v = input.InternalNote { product.InternalNote = v }
        if let v = input.Tags { product.Tags = v }
        if let v = input.StockLocator { product.StockLocator = v }
        if let v = input.PickZones { product.PickZones = v }
        if let v = input.AttributeSet { product.AttributeSet = v.isEmpty ? nil : v }
        if let v = input.HSCode { product.HSCode = v.value }
        if let v = input.CountryOfOrigin { product.CountryOfOrigin = v }
        if let v = input.CountryOfOriginCode { product.CountryOfOriginCode = v }
        if let v = input.Sellable { product.Sellable = v.value }
        if let v = input.AutoAssembly { product.AutoAssembly = v.value }
        if let v = input.AutoDisassembly { product.AutoDisassembly = v.value }
        if let v = input.AssemblyInstructionURL { product.AssemblyInstructionURL = v }
        for (field, value, limit) in [("Barcode", product.Barcode, 256), ("ShortDescription", product.ShortDescription, 500),
                                      ("InternalNote", product.InternalNote, 4000), ("Tags", product.Tags, 256),
                                      ("StockLocator", product.StockLocator, 256), ("PickZones", product.PickZones, 256),
                                      ("AttributeSet", product.AttributeSet ?? "", 50), ("HSCode", product.HSCode, 200),
                                      ("AssemblyInstructionURL", product.AssemblyInstructionURL, 256)] {
            check.length(value, field, limit)
        }
        product.attributes = Cin7Party.attributes(input.attributes, over: product.attributes)
        for (index, value) in product.attributes.enumerated() { check.length(value, "AdditionalAttribute\(index + 1)", 256) }
        if let rule = input.DiscountRule {
            // The sandbox keeps no Product Discounts book, so no discount name exists.
            check.check(rule.isEmpty, "DiscountRule '\(rule)' not found.")
        }
        var prices = product.priceTierValues
        for (index, price) in input.priceTiers.enumerated() {
            if let price { prices[index] = Cin7Number.rounded(price, places: 4) }
        }
        for (name, price) in input.PriceTiers ?? [:] {
            guard let index = books.priceTiers.firstIndex(where: { $0.cin7Equals(name) }) else {
                check.fail("PriceTiers: price tier '\(name)' not found.")
                continue
            }
            prices[index] = Cin7Number.rounded(price.value, places: 4)
        }
        product.priceTierValues = prices
        product.COGSAccount = optionalAccount(input.COGSAccount?.value, "COGSAccount", classes: ["EXPENSE"], current: product.COGSAccount, check: &check)
        product.RevenueAccount = optionalAccount(input.RevenueAccount?.value, "RevenueAccount", classes: ["REVENUE"], current: product.RevenueAccount, check: &check)
        product.ExpenseAccount = optionalAccount(input.ExpenseAccount?.value, "ExpenseAccount", classes: ["EXPENSE"], current: product.ExpenseAccount, check: &check)
        product.InventoryAccount = optionalAccount(input.InventoryAccount?.value, "InventoryAccount", classes: ["ASSET"], current: product.InventoryAccount, check: &check)
        if let code = product.InventoryAccount, let account = accounts[code] {
            check.check(account.Type != "FIXED" && account.Type != "BANK", "InventoryAccount '\(code)' should not be of Type FIXED or BANK.")
        }
        product.PurchaseTaxRule = optionalTaxRule(input.PurchaseTaxRule, "PurchaseTaxRule", forSale: false, current: product.PurchaseTaxRule, check: &check)
        product.SaleTaxRule = optionalTaxRule(input.SaleTaxRule, "SaleTaxRule", forSale: true, current: product.SaleTaxRule, check: &check)
        if let v = input.BillOfMaterial { product.BillOfMaterial = v.value }
        if let v = input.QuantityToProduce { product.QuantityToProduce = v.value }
        if let v = input.AssemblyCostEstimationMethod { product.AssemblyCostEstimationMethod = v }
        if product.BillOfMaterial {
            check.check(product.QuantityToProduce > 0, "QuantityToProduce is required when BillOfMaterial is true.")
            check.check(!product.AssemblyCostEstimationMethod.isEmpty, "AssemblyCostEstimationMethod is required when BillOfMaterial is true.")
        }
        if let suppliers = input.Suppliers { product._suppliers = suppliers.enumerated().compactMap { productSupplier($1, "Suppliers[\($0)]", check: &check) } }
        if let levels = input.ReorderLevels { product._reorderLevels = levels.enumerated().compactMap { reorderLevel($1, "ReorderLevels[\($0)]", check: &check) } }
        if let lines = input.BillOfMaterialsProducts {
            product._bomProducts = lines.enumerated().compactMap { bomProduct($1, "BillOfMaterialsProducts[\($0)]", owner: product.ID, check: &check) }
        }
        if let lines = input.BillOfMaterialsServices {
            product._bomServices = lines.enumerated().compactMap { bomService($1, "BillOfMaterialsServices[\($0)]", check: &check) }
        }
    }

    private func optionalAccount(_ value: String?, _ field: String, classes: Set<String>, current: String?, check: inout Cin7Validation) -> String? {
        guard let value else { return current }
        guard !value.isEmpty else { return nil }
        let found = activeAccount(value, classes: classes)
        check.check(found != nil, "\(field) '\(value)' should be an ACTIVE account of class \(classes.sorted().joined(separator: " or ")).")
        return found?.Code ?? value
    }

    private func optionalTaxRule(_ value: String?, _ field: String, forSale: Bool, current: String?, check: inout Cin7Validation) -> String? {
        guard let value else { return current }
        guard !value.isEmpty else { return nil }
        let found = taxRule(named: value, forSale: forSale)
        check.check(found != nil, "\(field) '\(value)' not found or is not an active tax rule for \(forSale ? "sales" : "purchases").")
        return found?.Name ?? value
    }

    private func productSupplier(_ input: Cin7ProductInput.Supplier, _ label: String, check: inout Cin7Validation) -> Cin7Product.Supplier? {
        let supplier = input.SupplierID.flatMap { suppliers[$0] } ?? input.SupplierName.flatMap { name in suppliers.all.first { $0.Name.cin7Equals(name) } }
        guard let supplier else {
            check.fail("\(label): supplier \(input.SupplierID ?? input.SupplierName ?? "(no SupplierID or SupplierName)") not found.")
            return nil
        }
        return .init(SupplierID: supplier.ID, SupplierName: supplier.Name, SupplierInventoryCode: input.SupplierInventoryCode?.value ?? "",
                     SupplierProductName: input.SupplierProductName ?? "", Cost: input.Cost?.value ?? 0, FixedCost: input.FixedCost?.value ?? 0,
                     Currency: supplier.Currency, DropShip: input.DropShip?.value ?? false, URL: input.URL ?? input.SupplierProductURL ?? "")
    }

    private func reorderLevel(_ input: Cin7ProductInput.ReorderLevel, _ label: String, check: inout Cin7Validation) -> Cin7Product.ReorderLevel? {
        let location = input.LocationID.flatMap { books.location(id: $0) } ?? input.LocationName.flatMap { books.location(named: $0) }
        guard let location else {
            check.fail("\(label): location \(input.LocationID ?? input.LocationName ?? "(no LocationID or LocationName)") not found.")
            return nil
        }
        return .init(LocationID: location.id, LocationName: location.name, MinimumBeforeReorder: input.MinimumBeforeReorder?.value ?? 0,
                     ReorderQuantity: input.ReorderQuantity?.value ?? 0, StockLocator: input.StockLocator ?? "", PickZones: input.PickZones ?? "")
    }

    private func bomProduct(_ input: Cin7ProductInput.BOMProduct, _ label: String, owner: String, check: inout Cin7Validation) -> Cin7Product.BOMProduct? {
        let component = input.ComponentProductID.flatMap { products[$0] } ?? input.ProductCode.flatMap { sku in products.all.first { $0.SKU.cin7Equals(sku) } }
        guard let component, component.ID != owner else {
            check.fail("\(label): component product \(input.ComponentProductID ?? input.ProductCode ?? "(no ComponentProductID or ProductCode)") not found.")
            return nil
        }
        guard let quantity = input.Quantity?.value, quantity > 0 else {
            check.fail("\(label).Quantity should be greater than 0.")
            return nil
        }
        check.check(input.WastagePercent == nil || input.WastageQuantity == nil || input.WastagePercent?.value == 0 || input.WastageQuantity?.value == 0,
                    "\(label): WastagePercent and WastageQuantity are mutually exclusive.")
        return .init(ComponentProductID: component.ID, ProductCode: component.SKU, Name: component.Name, Quantity: quantity,
                     WastagePercent: input.WastagePercent?.value ?? 0, WastageQuantity: input.WastageQuantity?.value ?? 0,
                     CostPercentage: input.CostPercentage?.value ?? 0)
    }

    private func bomService(_ input: Cin7ProductInput.BOMService, _ label: String, check: inout Cin7Validation) -> Cin7Product.BOMService? {
        let service = input.ComponentProductID.flatMap { products[$0] } ?? input.Name.flatMap { name in products.all.first { $0.Name.cin7Equals(name) } }
        guard let service, !service.isStock else {
            check.fail("\(label): service product \(input.ComponentProductID ?? input.Name ?? "(no ComponentProductID or Name)") not found.")
            return nil
        }
        guard let quantity = input.Quantity?.value, quantity > 0 else {
            check.fail("\(label).Quantity should be greater than 0.")
            return nil
        }
        return .init(ComponentProductID: service.ID, Name: service.Name, Quantity: quantity, ExpenseAccount: input.ExpenseAccount?.value ?? "",
                     PriceTier: input.PriceTier?.value ?? 1)
    }
}

/// A customer's price for a product, as a product lists it (`CustomPrices`).
struct Cin7ProductCustomPrice: Cin7Record, Sendable {
    var ProductID: String
    var ProductName: String
    var ProductSKU: String
    var CustomerID: String
    var CustomerName: String
    var Price: Decimal
}
