import Foundation

/// `/stockadjustmentList` (paged, `Status`) and `/stockadjustment`: GET by
/// `TaskID`, POST, PUT (a DRAFT only; `Status` COMPLETED completes it),
/// `DELETE ?ID=&Void=` (undo: a DRAFT is removed, a COMPLETED one goes back to
/// DRAFT; void: VOIDED). Undo and void take the stock change back.
extension Cin7Company {
    static let stockAdjustmentsKey = "StockAdjustmentList"

    func listStockAdjustments(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let status = Cin7Query.text(request, "Status")
        let (page, limit) = try Cin7Query.paging(request)
        let rows = stockAdjustments.all.filter { status.map($0.Status.cin7Equals) ?? true }.map {
            Cin7StockAdjustmentRow(TaskID: $0.TaskID, EffectiveDate: $0.EffectiveDate, StocktakeNumber: $0.StocktakeNumber, Status: $0.Status,
                                   Account: $0.Account, Reference: $0.Reference)
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.stockAdjustmentsKey, items, total: rows.count, page: page)
    }

    private func stockAdjustment(_ id: String?, _ field: String) throws(Cin7Failure) -> Cin7StockAdjustment {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let task = stockAdjustments[id] else { throw .badRequest("Stock adjustment with specified \(field) not found.") }
        return task
    }

    func getStockAdjustment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        stockAdjustments.json(try stockAdjustment(Cin7Query.guid(request, "TaskID"), "TaskID").key) ?? []
    }

    func writeStockAdjustment(_ request: SandboxRequest, updating: Bool) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7StockAdjustmentInput.self, from: request.body).get()
        var task: Cin7StockAdjustment
        if updating {
            task = try stockAdjustment(input.TaskID, "TaskID")
            guard task.Status == "DRAFT" else { throw .badRequest("Stock adjustment \(task.StocktakeNumber) is \(task.Status): only a DRAFT adjustment can be changed.") }
        } else {
            task = Cin7StockAdjustment(TaskID: newID(), EffectiveDate: Cin7Day(date: now()), StocktakeNumber: "", Account: "470")
        }
        var check = Cin7Validation()
        let status = check.required(input.Status, "Status").uppercased()
        check.check(status.isEmpty || ["DRAFT", "COMPLETED"].contains(status), "Status '\(input.Status ?? "")' is not valid. Use DRAFT or COMPLETED.")
        if let day = check.day(input.EffectiveDate, "EffectiveDate") { task.EffectiveDate = day }
        else if input.EffectiveDate == nil && !updating { check.fail("Required attribute EffectiveDate is not provided.") }
        if let code = input.Account?.value {
            check.check(accounts[code]?.isActive == true, "Account '\(code)' not found or not ACTIVE.")
            task.Account = code
        }
        if let v = input.Reference { task.Reference = v }
        if let v = input.UpdateOnHand?.value { task._updateOnHand = v }
        if let lines = input.Lines {
            check.check(!lines.isEmpty, "Required attribute Lines is not provided.")
            (task.ExistingStockLines, task.NewStockLines) = adjustmentLines(lines, task: task, check: &check)
        } else if !updating {
            check.fail("Required attribute Lines is not provided.")
        }
        try check.finish()
        if task.StocktakeNumber.isEmpty { task.StocktakeNumber = nextNumber("ST") }
        task.Status = status
        if status == "COMPLETED" { complete(&task) }
        stockAdjustments.put(task)
        return stockAdjustments.json(task.key) ?? []
    }

    /// Lines split by whether their product has stock at their location now.
    private func adjustmentLines(_ inputs: [Cin7LineInput], task: Cin7StockAdjustment,
                                 check: inout Cin7Validation) -> ([Cin7StockAdjustment.ExistingLine], [Cin7StockAdjustment.NewLine]) {
        var existing: [Cin7StockAdjustment.ExistingLine] = []
        var new: [Cin7StockAdjustment.NewLine] = []
        var seen = Set<String>()
        for (index, input) in inputs.enumerated() {
            let label = "Lines[\(index)]"
            guard let product = lineProduct(input) else {
                check.fail("\(label): product \(input.ProductID ?? input.SKU?.value ?? "(no ProductID or SKU)") not found.")
                continue
            }
            check.check(product.isStock, "\(label): \(product.SKU) is not a stock product.")
            guard let location = taskLocation(id: input.LocationID, name: input.Location, label: "\(label).", check: &check) else { continue }
            guard let quantity = input.Quantity?.value else {
                check.fail("Required attribute \(label).Quantity is not provided.")
                continue
            }
            check.check(quantity >= 0, "\(label).Quantity is the new quantity on hand and must not be negative.")
            check.check(product.CostingMethod == "FIFO" || !(input.BatchSN ?? "").isEmpty, "\(label).BatchSN is required: \(product.SKU) is costed \(product.CostingMethod).")
            check.check(seen.insert(product.ID + "|" + location.id + "|" + (input.BatchSN ?? "")).inserted,
                        "\(label): \(product.SKU) at \(location.name) is already on the adjustment.")
            let expiry = check.day(input.ExpiryDate, "\(label).ExpiryDate")
            let held = onHand(product.ID, at: location.name)
            if held != 0 {
                existing.append(.init(ProductID: product.ID, SKU: product.SKU, ProductName: product.Name, QuantityOnHand: held,
                                      Available: available(product.ID, at: location.name), Adjustment: quantity, LocationID: location.id,
                                      Location: location.name, BatchSN: input.BatchSN, ExpiryDate: expiry, Comments: input.Comments ?? "",
                                      productFields: Cin7ProductFields(product)))
            } else {
                let cost = input.UnitCost?.value
                check.check(cost != nil || quantity == 0, "Required attribute \(label).UnitCost is not provided: \(product.SKU) has no stock at \(location.name).")
                check.check((cost ?? 0) >= 0, "\(label).UnitCost must not be negative.")
                new.append(.init(ProductID: product.ID, SKU: product.SKU, ProductName: product.Name, Quantity: quantity, UnitCost: cost ?? 0,
                                 LocationID: location.id, Location: location.name, BatchSN: input.BatchSN, ExpiryDate: expiry,
                                 ReceivedDate: check.day(input.ReceivedDate, "\(label).ReceivedDate") ?? task.EffectiveDate, Comments: input.Comments ?? "",
                                 productFields: Cin7ProductFields(product)))
            }
        }
        return (existing, new)
    }

    /// Sets each line's quantity and posts the change in value: a gain debits
    /// inventory and credits `Account`; a loss is the same posting with a negative amount (apib:25265).
    private func complete(_ task: inout Cin7StockAdjustment) {
        task._applied = []
        task.Transactions = []
        for line in task.ExistingStockLines {
            let base = task._updateOnHand ? onHand(line.ProductID, at: line.Location) : available(line.ProductID, at: line.Location)
            let change = line.Adjustment - base
            guard change != 0 else { continue }
            let cost = unitCost(line.ProductID, at: line.Location)
            moveStock(line.ProductID, at: line.Location, onHand: change, unitCost: cost)
            task._applied.append(.init(productID: line.ProductID, location: line.Location, quantity: change, unitCost: cost))
        }
        for line in task.NewStockLines where line.Quantity > 0 {
            moveStock(line.ProductID, at: line.Location, onHand: line.Quantity, unitCost: line.UnitCost)
            task._applied.append(.init(productID: line.ProductID, location: line.Location, quantity: line.Quantity, unitCost: line.UnitCost))
        }
        for applied in task._applied {
            task.Transactions.append(posting(debit: inventoryAccount(applied.productID), credit: task.Account, amount: applied.quantity * applied.unitCost,
                                             on: task.EffectiveDate, "Stock adjustment \(task.StocktakeNumber) \(products[applied.productID]?.SKU ?? "")"))
        }
    }

    func deleteStockAdjustment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var task = try stockAdjustment(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard task.Status != "VOIDED" else { throw .badRequest("Stock adjustment \(task.StocktakeNumber) is already voided.") }
        if !void && task.Status == "DRAFT" {
            let json = stockAdjustments.json(task.key) ?? []
            stockAdjustments.remove(task.key)
            return json
        }
        if task.Status == "COMPLETED" {
            var check = Cin7Validation()
            for applied in task._applied where applied.quantity > 0 {
                let held = onHand(applied.productID, at: applied.location)
                check.check(held >= applied.quantity, "Not enough stock of \(products[applied.productID]?.SKU ?? "") at \(applied.location) to take the adjustment back: \(held) on hand.")
            }
            try check.finish()
            for applied in task._applied { moveStock(applied.productID, at: applied.location, onHand: -applied.quantity, unitCost: applied.unitCost) }
            task._applied = []
            task.Transactions = []
        }
        task.Status = void ? "VOIDED" : "DRAFT"
        stockAdjustments.put(task)
        return stockAdjustments.json(task.key) ?? []
    }
}
