import Foundation

/// `/purchase/order` (apib:14322; its `TaskID` is the purchase's `ID`) and
/// `/advanced-purchase/stock` (apib:16629-17056). Authorising the order puts its
/// stock lines on order; authorising a receipt takes them off order and onto
/// hand at the order's net unit cost in base currency. Receipts may be partial:
/// each is its own task, and none may take a product past what was ordered.
extension Cin7Company {
    static let emptyTaskID = "00000000-0000-0000-0000-000000000000"

    func purchaseLineContext(_ purchase: Cin7Purchase, _ label: String = "") -> Cin7LineContext {
        Cin7LineContext(label: label, taxRule: purchase.TaxRule, forSale: false, inclusive: purchase.inclusive,
                        defaultAccount: purchase.InventoryAccount, priceTier: nil)
    }

    // MARK: order

    private func orderJSON(_ purchase: Cin7Purchase) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(purchase.Order), [("TaskID", Cin7JSON.encode(purchase.ID)),
                                                             ("CombineAdditionalCharges", Cin7JSON.encode(false))])
    }

    func getPurchaseOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        orderJSON(try purchase(Cin7Query.guid(request, "TaskID"), "TaskID"))
    }

    /// "POST method will return exception if Order status is not `DRAFT` or `NOT AVAILABLE`" (apib:14403).
    func postPurchaseOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseTaskInput.self, from: request.body).get()
        var purchase = try purchase(input.TaskID ?? input.PurchaseID, "TaskID")
        try editable(purchase)
        guard ["NOT AVAILABLE", "DRAFT"].contains(purchase.Order.Status) else {
            throw .badRequest("Order status is \(purchase.Order.Status): only a DRAFT or NOT AVAILABLE order can be changed.")
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        if let lines = input.Lines { purchase.Order.Lines = documentLines(lines, purchaseLineContext(purchase), check: &check) }
        if let charges = input.AdditionalCharges {
            purchase.Order.AdditionalCharges = additionalCharges(charges, purchaseLineContext(purchase), check: &check)
        }
        if let memo = input.Memo { purchase.Order.Memo = memo }
        check.length(purchase.Order.Memo, "Memo", 1024)
        check.check(status != Cin7Purchase.authorised || !purchase.Order.Lines.isEmpty || !purchase.Order.AdditionalCharges.isEmpty,
                    "An order without lines cannot be AUTHORISED.")
        try check.finish()
        purchase.Order.Status = status
        if status == Cin7Purchase.authorised {
            for line in purchase.Order.Lines where line._isStock { moveStock(line.ProductID, at: purchase.Location, onOrder: line.Quantity) }
        }
        save(&purchase)
        return orderJSON(purchase)
    }

    /// What is still on order goes off order (the purchase is voided).
    func releaseOnOrder(of purchase: Cin7Purchase) {
        guard purchase.orderAuthorised else { return }
        let received = purchase.received
        for (product, quantity) in purchase.ordered {
            let open = quantity - received[product, default: 0]
            if open > 0 { moveStock(product, at: purchase.Location, onOrder: -open) }
        }
    }

    // MARK: stock received

    private func stockJSON(_ purchase: Cin7Purchase) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(["PurchaseID": purchase.ID]), [("StockReceiving", Cin7JSON.encode(purchase.StockReceived))])
    }

    func getPurchaseStock(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        stockJSON(try purchase(Cin7Query.guid(request, "PurchaseID")))
    }

    /// `POST` adds lines to a receipt (a new one when `TaskID` is absent or the
    /// empty GUID); `PUT` replaces a receipt's lines. A receipt with no lines in
    /// the body can still be authorised (apib:16731).
    func writePurchaseStock(_ request: SandboxRequest, replacing: Bool) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseTaskInput.self, from: request.body).get()
        var purchase = try purchase(input.PurchaseID)
        try editable(purchase)
        guard purchase.orderAuthorised else { throw .badRequest("Order status is \(purchase.Order.Status): receiving stock needs an AUTHORISED order.") }
        if !purchase.stockFirst && !purchase.Invoice.contains(where: \.authorised) {
            throw .badRequest("Purchase \(purchase.OrderNumber) is Invoice First (Approach INVOICE): stock can be received once an invoice is AUTHORISED.")
        }
        let taskID = (input.TaskID ?? "").lowercased()
        var index: Int
        if taskID.isEmpty || taskID == Self.emptyTaskID {
            guard !replacing else { throw .badRequest("Required attribute TaskID is not provided.") }
            purchase.StockReceived.append(.init(TaskID: newID(), InvoicingAndReceivingNumber: purchase.StockReceived.count + 1))
            index = purchase.StockReceived.count - 1
        } else {
            guard let found = purchase.StockReceived.firstIndex(where: { $0.TaskID == taskID }) else {
                throw .badRequest("Stock received task with specified TaskID not found.")
            }
            guard purchase.StockReceived[found].Status == "DRAFT" else {
                throw .badRequest("Stock received status is \(purchase.StockReceived[found].Status): only a DRAFT receipt can be changed.")
            }
            index = found
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        var task = purchase.StockReceived[index]
        let lines = receivedLines(input.Lines ?? [], purchase: purchase, check: &check)
        if replacing {
            task.Lines = lines
        } else {
            for line in lines {
                let clash = task.Lines.contains { $0.ProductID == line.ProductID && $0.Location == line.Location && $0.BatchSN == line.BatchSN && $0.ExpiryDate == line.ExpiryDate }
                check.check(!clash, "Stock received already has a line for \(line.SKU) at \(line.Location ?? "") with the same batch and expiry date.")
            }
            task.Lines += lines
        }
        check.check(status != Cin7Purchase.authorised || !task.Lines.isEmpty, "A stock receipt without lines cannot be AUTHORISED.")
        var otherReceipts = purchase
        otherReceipts.StockReceived.remove(at: index)
        let already = otherReceipts.received
        let thisTask = task.Lines.reduce(into: [String: Decimal]()) { $0[$1.ProductID, default: 0] += $1.Quantity }
        for (product, quantity) in thisTask {
            let ordered = purchase.ordered[product, default: 0]
            let sku = products[product]?.SKU ?? product
            check.check(already[product, default: 0] + quantity <= ordered,
                        "Cannot receive \(quantity) of \(sku): \(ordered) ordered, \(already[product, default: 0]) already received.")
        }
        try check.finish()
        task.Status = status
        purchase.StockReceived[index] = task
        if status == Cin7Purchase.authorised { receive(task, into: &purchase) }
        save(&purchase)
        return stockJSON(purchase)
    }

    /// Lines as a receipt stores them: duplicates in one payload merged (apib:16733), each line on the order.
    private func receivedLines(_ inputs: [Cin7LineInput], purchase: Cin7Purchase, check: inout Cin7Validation) -> [Cin7Purchase.StockLine] {
        var lines: [Cin7Purchase.StockLine] = []
        for (index, input) in inputs.enumerated() {
            let label = "Lines[\(index)]"
            guard let product = lineProduct(input) else {
                check.fail("\(label): product \(input.ProductID ?? input.SKU?.value ?? "(no ProductID or SKU)") not found.")
                continue
            }
            guard let orderLine = purchase.Order.Lines.first(where: { $0.ProductID == product.ID && $0._isStock }) else {
                check.fail("\(label): \(product.SKU) is not a stock line of order \(purchase.OrderNumber).")
                continue
            }
            let quantity = input.Quantity?.value ?? 0
            check.check(quantity > 0, "\(label).Quantity must be greater than 0.")
            let location = input.LocationID.flatMap { books.location(id: $0)?.name } ?? documentLocation(input.Location ?? purchase.Location, check: &check)
            let date = check.day(input.Date, "\(label).Date") ?? Cin7Day(date: now())
            let expiry = check.day(input.ExpiryDate, "\(label).ExpiryDate")
            let batch = input.BatchSN ?? ""
            if let at = lines.firstIndex(where: { $0.ProductID == product.ID && $0.Location == location && $0.BatchSN == batch && $0.ExpiryDate == expiry }) {
                lines[at].Quantity += quantity
                continue
            }
            lines.append(.init(Date: date, Quantity: quantity, ProductID: product.ID, SKU: product.SKU, Name: product.Name, Location: location,
                               LocationID: books.location(named: location)?.id, Received: input.Received?.value ?? true, BatchSN: batch,
                               SupplierSKU: input.SupplierSKU?.value ?? orderLine.SupplierSKU, ExpiryDate: expiry, CardID: newID(),
                               productFields: Cin7ProductFields(product), _unitCost: netUnitCost(orderLine, purchase)))
        }
        return lines
    }

    /// An order line's unit cost in base currency, without tax: what the stock is valued at.
    func netUnitCost(_ line: Cin7DocumentLine, _ purchase: Cin7Purchase) -> Decimal {
        guard line.Quantity > 0 else { return 0 }
        let net = purchase.inclusive ? line.Total - line.Tax : line.Total
        return Cin7Number.rounded(net / line.Quantity * purchase.CurrencyRate, places: 4)
    }

    /// The product a line names by `ProductID`, `SKU` or `ProductCode`.
    func lineProduct(_ input: Cin7LineInput) -> Cin7Product? {
        if let id = input.ProductID, !id.isEmpty { return products[id] }
        guard let sku = input.SKU?.value ?? input.ProductCode, !sku.isEmpty else { return nil }
        return products.all.first { $0.SKU.cin7Equals(sku) }
    }

    private func receive(_ task: Cin7Purchase.StockTask, into purchase: inout Cin7Purchase) {
        for line in task.Lines {
            moveStock(line.ProductID, at: line.Location ?? purchase.Location, onHand: line.Quantity, onOrder: -line.Quantity, unitCost: line._unitCost)
            if let product = products[line.ProductID] {
                purchase.InventoryMovements.append(.init(TaskID: task.TaskID, product: product, Date: line.Date,
                                                         COGS: Cin7Number.rounded(line._unitCost * line.Quantity, places: 2)))
            }
        }
    }

    /// Received stock goes back off hand and back on order.
    func unreceive(_ task: Cin7Purchase.StockTask, of purchase: inout Cin7Purchase) {
        for line in task.Lines { moveStock(line.ProductID, at: line.Location ?? purchase.Location, onHand: -line.Quantity, onOrder: line.Quantity) }
        purchase.InventoryMovements.removeAll { $0.TaskID == task.TaskID }
    }

    /// A receipt can be taken back only while its stock is still on hand.
    func checkReversible(_ task: Cin7Purchase.StockTask, check: inout Cin7Validation) {
        for line in task.Lines {
            let onHand = stock.filter { $0.productID == line.ProductID && $0.location.cin7Equals(line.Location ?? "") }.reduce(Decimal(0)) { $0 + $1.onHand }
            check.check(onHand >= line.Quantity, "Not enough stock of \(line.SKU) at \(line.Location ?? "") to reverse the receipt: \(line.Quantity) received, \(onHand) on hand.")
        }
    }

    /// `DELETE /advanced-purchase/stock?TaskID=&Void=`: undo takes an AUTHORISED
    /// receipt back to DRAFT, void voids it; either way its stock leaves again.
    func deletePurchaseStock(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let taskID = try Cin7Query.guid(request, "TaskID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard let taskID else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard var purchase = purchases.all.first(where: { $0.StockReceived.contains { $0.TaskID == taskID } }) else {
            throw .badRequest("Stock received task with specified TaskID not found.")
        }
        try editable(purchase)
        let index = purchase.StockReceived.firstIndex { $0.TaskID == taskID }!
        let task = purchase.StockReceived[index]
        guard task.Status != "VOIDED" else { throw .badRequest("Stock received task is already voided.") }
        guard void || task.Status != "DRAFT" else { throw .badRequest("Stock received task is DRAFT: there is nothing to undo.") }
        if task.Status == Cin7Purchase.authorised {
            var check = Cin7Validation()
            checkReversible(task, check: &check)
            try check.finish()
            unreceive(task, of: &purchase)
        }
        purchase.StockReceived[index].Status = void ? "VOIDED" : "DRAFT"
        save(&purchase)
        return stockJSON(purchase)
    }
}
