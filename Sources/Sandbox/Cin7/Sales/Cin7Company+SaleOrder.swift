import Foundation

/// `/sale/quote`, `/sale/order` and `/sale/fulfilment` with its pick, pack and
/// ship steps (apib:22711-23917). Authorising the order allocates stock (what
/// is short is backordered); authorising the shipment takes it off hand and
/// records the cost of goods sold.
extension Cin7Company {
    func saleJSON<Part: Encodable>(_ part: Part, saleID: String) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(part), [("SaleID", Cin7JSON.encode(saleID))])
    }

    func lineContext(_ sale: Cin7Sale, _ label: String = "") -> Cin7LineContext {
        Cin7LineContext(label: label, taxRule: sale.TaxRule, forSale: true, inclusive: sale.inclusive, defaultAccount: sale.DefaultAccount,
                        priceTier: sale.PriceTier)
    }

    // MARK: quote

    func getSaleQuote(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let sale = try sale(Cin7Query.guid(request, "SaleID"))
        return saleJSON(sale.Quote, saleID: sale.ID)
    }

    func postSaleQuote(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaskInput.self, from: request.body).get()
        var sale = try sale(input.SaleID)
        try editable(sale)
        guard !sale.SkipQuote else { throw .badRequest("Sale \(sale.Order.SaleOrderNumber) skips the quote (SkipQuote = true).") }
        guard ["NOT AVAILABLE", "DRAFT"].contains(sale.Quote.Status) else {
            throw .badRequest("Quote status is \(sale.Quote.Status): only a DRAFT or NOT AVAILABLE quote can be changed.")
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        if let lines = input.Lines { sale.Quote.Lines = documentLines(lines, lineContext(sale), check: &check) }
        if let charges = input.AdditionalCharges { sale.Quote.AdditionalCharges = additionalCharges(charges, lineContext(sale), check: &check) }
        if let memo = input.Memo { sale.Quote.Memo = memo }
        check.check(status != Cin7Sale.authorised || !sale.Quote.Lines.isEmpty || !sale.Quote.AdditionalCharges.isEmpty,
                    "A quote without lines cannot be AUTHORISED.")
        try check.finish()
        sale.Quote.Status = status
        save(&sale)
        return saleJSON(sale.Quote, saleID: sale.ID)
    }

    // MARK: order

    func getSaleOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let sale = try sale(Cin7Query.guid(request, "SaleID"))
        return saleJSON(sale.Order, saleID: sale.ID)
    }

    func postSaleOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaskInput.self, from: request.body).get()
        var sale = try sale(input.SaleID)
        try editable(sale)
        guard sale.quoteReady else {
            throw .badRequest("Quote status is \(sale.Quote.Status): the order needs an AUTHORISED quote (or SkipQuote = true).")
        }
        guard ["NOT AVAILABLE", "DRAFT"].contains(sale.Order.Status) else {
            throw .badRequest("Order status is \(sale.Order.Status): only a DRAFT or NOT AVAILABLE order can be changed.")
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        let mode = (input.AutoPickPackShipMode ?? "NOPICK").uppercased()
        check.check(["NOPICK", "AUTOPICK", "AUTOPICKPACK", "AUTOPICKPACKSHIP"].contains(mode),
                    "AutoPickPackShipMode '\(input.AutoPickPackShipMode ?? "")' is not valid. Use NOPICK, AUTOPICK, AUTOPICKPACK or AUTOPICKPACKSHIP.")
        if let lines = input.Lines {
            sale.Order.Lines = documentLines(lines, lineContext(sale), check: &check)
        } else if sale.Order.Lines.isEmpty {
            // An order posted without lines takes the quote's.
            (sale.Order.Lines, sale.Order.AdditionalCharges) = (sale.Quote.Lines, sale.Quote.AdditionalCharges)
        }
        if let charges = input.AdditionalCharges { sale.Order.AdditionalCharges = additionalCharges(charges, lineContext(sale), check: &check) }
        if let memo = input.Memo { sale.Order.Memo = memo }
        check.check(status != Cin7Sale.authorised || !sale.Order.Lines.isEmpty || !sale.Order.AdditionalCharges.isEmpty,
                    "An order without lines cannot be AUTHORISED.")
        try check.finish()
        sale.Order.Status = status
        if status == Cin7Sale.authorised {
            allocate(&sale)
            sale.Fulfilments = [Cin7Sale.Fulfilment(TaskID: newID())]
            sale.Fulfilments[0].Ship.ShippingAddress = sale.ShippingAddress
            sale.Fulfilments[0].Ship.ShippingNotes = sale.ShippingNotes
            sale.Fulfilments[0].Ship.RequireBy = sale.ShipBy
            let backordered = sale.Order.Lines.contains { $0.BackorderQuantity > 0 }
            // "This property affects only Sales with Type = Simple Sale and with no backorder" (apib:22945).
            if !backordered && mode != "NOPICK" {
                var steps = Cin7Validation()
                autoFulfil(&sale, pack: mode != "AUTOPICK", ship: mode == "AUTOPICKPACKSHIP", check: &steps)
                try steps.finish()
            }
        }
        save(&sale)
        return saleJSON(sale.Order, saleID: sale.ID)
    }

    /// Allocates what is available of each stock line; the rest is backordered.
    private func allocate(_ sale: inout Cin7Sale) {
        for i in sale.Order.Lines.indices where sale.Order.Lines[i]._isStock && !sale.Order.Lines[i].DropShip {
            let line = sale.Order.Lines[i]
            let allocation = min(line.Quantity, max(available(line.ProductID, at: sale.Location), 0))
            if allocation > 0 { moveStock(line.ProductID, at: sale.Location, allocated: allocation) }
            sale.Order.Lines[i]._allocated = allocation
            sale.Order.Lines[i].BackorderQuantity = line.Quantity - allocation
        }
    }

    /// Gives back what a sale holds: allocations, and shipped stock at its cost.
    func releaseStock(of sale: inout Cin7Sale) {
        for i in sale.Order.Lines.indices where sale.Order.Lines[i]._allocated > 0 {
            moveStock(sale.Order.Lines[i].ProductID, at: sale.Location, allocated: -sale.Order.Lines[i]._allocated)
            sale.Order.Lines[i]._allocated = 0
        }
        if sale.shipped {
            for movement in sale.InventoryMovements {
                let quantity = sale.fulfilment!.Pick.Lines.filter { $0.ProductID == movement.ProductID }.reduce(Decimal(0)) { $0 + $1.Quantity }
                guard quantity > 0 else { continue }
                moveStock(movement.ProductID, at: sale.Location, onHand: quantity, unitCost: movement.COGS / quantity)
            }
            sale.InventoryMovements = sale.InventoryMovements.map { var m = $0; m.COGS = 0; return m }
        }
    }

    func editable(_ sale: Cin7Sale) throws(Cin7Failure) {
        guard !sale._voided else { throw .badRequest("Sale \(sale.Order.SaleOrderNumber) is voided and cannot be changed.") }
    }

    // MARK: fulfilment

    func getSaleFulfilment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let sale = try sale(Cin7Query.guid(request, "SaleID"))
        return Cin7JSON.appending(Cin7JSON.encode(["SaleID": sale.ID]), [("Fulfilments", Cin7JSON.encode(sale.Fulfilments))])
    }

    /// The sale whose fulfilment task is `taskID`.
    private func fulfilmentSale(_ taskID: String?) throws(Cin7Failure) -> Cin7Sale {
        guard let taskID, !taskID.isEmpty else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard let sale = sales.all.first(where: { $0.fulfilment?.TaskID.cin7Equals(taskID) == true }) else {
            throw .badRequest("Fulfilment with specified TaskID not found.")
        }
        return sale
    }

    func getFulfilmentStep(_ request: SandboxRequest, _ step: String) throws(Cin7Failure) -> [UInt8] {
        let sale = try fulfilmentSale(Cin7Query.guid(request, "TaskID"))
        let f = sale.fulfilment!
        return switch step {
        case "pick": stepJSON(f.Pick, f.TaskID)
        case "pack": stepJSON(f.Pack, f.TaskID)
        default: Cin7JSON.appending(Cin7JSON.encode(f.Ship), [("TaskID", Cin7JSON.encode(f.TaskID))])
        }
    }

    private func stepJSON(_ step: Cin7Sale.StockStep, _ taskID: String) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(step), [("TaskID", Cin7JSON.encode(taskID))])
    }

    /// `POST`/`PUT /sale/fulfilment/pick` and `/pack`.
    func postFulfilmentStep(_ request: SandboxRequest, pack: Bool) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaskInput.self, from: request.body).get()
        var sale = try fulfilmentSale(input.TaskID)
        try editable(sale)
        guard sale.orderAuthorised else { throw .badRequest("Order status is \(sale.Order.Status): fulfilment needs an AUTHORISED order.") }
        var f = sale.fulfilment!
        if pack {
            guard f.Pick.Status == Cin7Sale.authorised else { throw .badRequest("Pick status is \(f.Pick.Status): packing needs an AUTHORISED pick.") }
            guard f.Pack.Status != Cin7Sale.authorised else { throw .badRequest("Pack is already AUTHORISED.") }
        } else {
            guard f.Pick.Status != Cin7Sale.authorised else { throw .badRequest("Pick is already AUTHORISED.") }
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        let source = pack ? f.Pick.Lines : defaultPickLines(sale)
        let lines = input.Lines.map { stockLines($0, sale: sale, label: pack ? "Pack" : "Pick", check: &check) } ?? source
        if !pack && status == Cin7Sale.authorised { checkOnHand(lines, check: &check) }
        try check.finish()
        if pack { f.Pack = .init(Status: status, Lines: lines) } else { f.Pick = .init(Status: status, Lines: lines) }
        sale.Fulfilments[0] = f
        save(&sale)
        return stepJSON(pack ? f.Pack : f.Pick, f.TaskID)
    }

    /// `POST`/`PUT /sale/fulfilment/ship`: authorised, the picked stock leaves.
    func postFulfilmentShip(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7ShipInput.self, from: request.body).get()
        var sale = try fulfilmentSale(input.TaskID)
        try editable(sale)
        let f = sale.fulfilment!
        guard f.Pack.Status == Cin7Sale.authorised else { throw .badRequest("Pack status is \(f.Pack.Status): shipping needs an AUTHORISED pack.") }
        guard f.Ship.Status != Cin7Sale.authorised else { throw .badRequest("Ship is already AUTHORISED.") }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        var ship = f.Ship
        if input.RequireBy != nil { ship.RequireBy = check.day(input.RequireBy, "RequireBy") }
        if let notes = input.ShippingNotes { ship.ShippingNotes = notes }
        if let lines = input.Lines {
            ship.Lines = lines.enumerated().map { index, line in
                Cin7Sale.ShipLine(ID: newID(),
                                  ShipmentDate: check.day(line.ShipmentDate, "Lines[\(index)].ShipmentDate") ?? Cin7Day(date: now()),
                                  Carrier: line.Carrier ?? sale.Carrier, Boxes: line.Boxes ?? line.Box ?? "",
                                  TrackingNumber: line.TrackingNumber?.value ?? "", TrackingURL: line.TrackingURL ?? "",
                                  IsShipped: line.IsShipped?.value ?? (status == Cin7Sale.authorised))
            }
        }
        try check.finish()
        ship.Status = status
        sale.Fulfilments[0].Ship = ship
        if status == Cin7Sale.authorised { shipStock(&sale) }
        save(&sale)
        return Cin7JSON.appending(Cin7JSON.encode(sale.fulfilment!.Ship), [("TaskID", Cin7JSON.encode(f.TaskID))])
    }

    /// Authorises pick, pack (and ship) with the order's lines.
    private func autoFulfil(_ sale: inout Cin7Sale, pack: Bool, ship: Bool, check: inout Cin7Validation) {
        let lines = defaultPickLines(sale)
        checkOnHand(lines, check: &check)
        guard check.isValid else { return }
        sale.Fulfilments[0].Pick = .init(Status: Cin7Sale.authorised, Lines: lines)
        if pack { sale.Fulfilments[0].Pack = .init(Status: Cin7Sale.authorised, Lines: lines) }
        if ship {
            sale.Fulfilments[0].Ship.Status = Cin7Sale.authorised
            shipStock(&sale)
        }
    }

    /// Stock leaves the sale's location: on hand and the allocation go down, COGS is recorded.
    private func shipStock(_ sale: inout Cin7Sale) {
        let today = Cin7Day(date: now())
        for line in sale.fulfilment!.Pick.Lines {
            guard let product = products[line.ProductID], product.isStock else { continue }
            let allocated = sale.Order.Lines.firstIndex { $0.ProductID == line.ProductID && $0._allocated > 0 }
            let release = allocated.map { min(sale.Order.Lines[$0]._allocated, line.Quantity) } ?? 0
            if let allocated { sale.Order.Lines[allocated]._allocated -= release }
            let cost = moveStock(line.ProductID, at: line.Location, onHand: -line.Quantity, allocated: -release)
            sale.InventoryMovements.append(.init(TaskID: sale.fulfilment!.TaskID, product: product, Date: today,
                                                 COGS: Cin7Number.rounded(cost * line.Quantity, places: 2)))
        }
    }

    private func defaultPickLines(_ sale: Cin7Sale) -> [Cin7Sale.StockLine] {
        let location = books.location(named: sale.Location)
        return sale.Order.Lines.filter { $0._isStock && !$0.DropShip }.map {
            .init(ProductID: $0.ProductID, SKU: $0.SKU, Name: $0.Name, Location: sale.Location, LocationID: location?.id ?? "", Quantity: $0.Quantity)
        }
    }

    func stockLines(_ inputs: [Cin7LineInput], sale: Cin7Sale, label: String, check: inout Cin7Validation) -> [Cin7Sale.StockLine] {
        inputs.enumerated().compactMap { index, input in
            let product = input.ProductID.flatMap { products[$0] } ?? input.SKU.flatMap { sku in products.all.first { $0.SKU.cin7Equals(sku.value) } }
            guard let product else {
                check.fail("\(label).Lines[\(index)]: product \(input.ProductID ?? input.SKU?.value ?? "(no ProductID or SKU)") not found.")
                return nil
            }
            let quantity = input.Quantity?.value ?? 0
            check.check(quantity > 0, "\(label).Lines[\(index)].Quantity must be greater than 0.")
            let location = documentLocation(input.Location ?? sale.Location, check: &check)
            return .init(ProductID: product.ID, SKU: product.SKU, Name: product.Name, Location: location,
                         LocationID: books.location(named: location)?.id ?? "", Quantity: quantity)
        }
    }

    /// Picking needs the stock on hand at the line's location.
    private func checkOnHand(_ lines: [Cin7Sale.StockLine], check: inout Cin7Validation) {
        var wanted: [String: Decimal] = [:]
        for line in lines { wanted[line.ProductID + "|" + line.Location, default: 0] += line.Quantity }
        for line in lines {
            guard let quantity = wanted.removeValue(forKey: line.ProductID + "|" + line.Location) else { continue }
            let onHand = self.onHand(line.ProductID, at: line.Location)
            check.check(onHand >= quantity, "Not enough stock of \(line.SKU) at \(line.Location): \(quantity) to pick, \(onHand) on hand.")
        }
    }
}
