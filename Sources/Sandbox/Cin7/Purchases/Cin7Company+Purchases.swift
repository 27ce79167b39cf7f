import Foundation

/// `/purchaseList` (paged, filtered) and `/advanced-purchase`: read by `ID`,
/// create, update the header, `DELETE ?ID=&Void=` (undo a purchase nothing was
/// authorised on, or void it).
extension Cin7Company {
    static let purchasesKey = "PurchaseList"

    /// Filters of apib:12976: `Search` (contains, in OrderNumber, Status,
    /// Supplier, InvoiceNumber, CreditNoteNumber), `RequiredBy` (on or before),
    /// `UpdatedSince`, the task statuses and `DropShipTaskID`. The blueprint
    /// gives no `CreatedSince` or `ModifiedSince` for purchases.
    func listPurchases(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let search = Cin7Query.text(request, "Search")
        let requiredBy = try Cin7Query.date(request, "RequiredBy")
        let updated = try Cin7Query.date(request, "UpdatedSince")
        let dropShip = try Cin7Query.guid(request, "DropShipTaskID")
        let statuses: [(String, KeyPath<Cin7PurchaseListRow, String>)] = [
            ("Status", \.Status), ("OrderStatus", \.OrderStatus), ("RestockReceivedStatus", \.StockReceivedStatus),
            ("InvoiceStatus", \.InvoiceStatus), ("CreditNoteStatus", \.CreditNoteStatus), ("UnstockStatus", \.UnstockStatus),
        ]
        let wanted = statuses.compactMap { name, path in Cin7Query.text(request, name).map { ($0, path) } }
        let (page, limit) = try Cin7Query.paging(request)
        let rows = purchases.all.map(Cin7PurchaseListRow.init).filter { row in
            (search.map { text in [row.OrderNumber, row.Status, row.Supplier, row.InvoiceNumber, row.CreditNoteNumber].contains { $0.cin7Contains(text) } } ?? true)
                && (requiredBy.map { date in row.RequiredBy.map { $0.date <= date } ?? false } ?? true)
                && (updated.map { row.LastUpdatedDate.isAtOrAfter($0) } ?? true)
                && (dropShip.map { row.DropShipTaskID == $0 } ?? true)
                && wanted.allSatisfy { value, path in row[keyPath: path].cin7Equals(value) }
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.purchasesKey, items, total: rows.count, page: page)
    }

    func getPurchase(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let purchase = try purchase(Cin7Query.guid(request, "ID"), "ID")
        return purchases.json(purchase.key) ?? []
    }

    /// The purchase a call names, or the 400 Cin7 gives for a missing or unknown one.
    func purchase(_ id: String?, _ field: String = "PurchaseID") throws(Cin7Failure) -> Cin7Purchase {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let purchase = purchases[id] else { throw .badRequest("Purchase with specified \(field) not found.") }
        return purchase
    }

    /// Stores a changed purchase: statuses re-derived, `LastUpdatedDate` moved on.
    func save(_ purchase: inout Cin7Purchase) {
        purchase.refresh()
        purchase.LastUpdatedDate = stamp()
        let before = purchases[purchase.key]
        purchases.put(purchase)
        raisePurchaseEvents(before: before, after: purchase)
    }

    func editable(_ purchase: Cin7Purchase) throws(Cin7Failure) {
        guard !purchase._voided else { throw .badRequest("Purchase \(purchase.OrderNumber) is voided and cannot be changed.") }
    }

    func createPurchase(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseInput.self, from: request.body).get()
        var check = Cin7Validation()
        let supplier: Cin7Supplier?
        if let id = input.SupplierID, !id.isEmpty {
            supplier = suppliers[id]
            check.check(supplier != nil, "Supplier with ID '\(id)' not found.")
        } else if let name = input.Supplier, !name.isEmpty {
            supplier = suppliers.all.first { $0.Name.cin7Equals(name) }
            check.check(supplier != nil, "Supplier '\(name)' not found.")
        } else {
            supplier = nil
            check.fail("Required attribute Supplier or SupplierID is not provided.")
        }
        check.check(supplier?.isDeprecated != true, "Supplier '\(supplier?.Name ?? "")' is deprecated.")
        let approach = check.required(input.Approach, "Approach").uppercased()
        check.check(approach.isEmpty || ["INVOICE", "STOCK"].contains(approach), "Approach '\(input.Approach ?? "")' is not valid. Use INVOICE or STOCK.")
        if let type = input.PurchaseType, !type.isEmpty {
            check.check(["Simple", "Advanced"].contains { $0.cin7Equals(type) }, "PurchaseType '\(type)' is not valid. Use Simple or Advanced.")
        }
        check.check(input.BlindReceipt?.value != true, "Blind receipts are not supported by the sandbox yet.")
        check.check(input.IsServiceOnly?.value != true, "Service-only purchases are not supported by the sandbox yet.")
        let location = documentLocation(input.Location, check: &check)
        try check.finish()
        let seller = supplier!
        let now = stamp()
        let contact = seller.Contacts.first { $0.Default } ?? seller.Contacts.first
        let address = seller.Addresses.first { $0.DefaultForType } ?? seller.Addresses.first
        var purchase = Cin7Purchase(ID: newID(), SupplierID: seller.ID, Supplier: seller.Name, Contact: contact?.Name ?? "",
                                    Phone: contact?.Phone ?? "", InventoryAccount: "630", Approach: approach, BaseCurrency: me.Currency,
                                    SupplierCurrency: seller.Currency, TaxRule: seller.TaxRule, Terms: seller.PaymentTerm, Location: location,
                                    OrderNumber: "", OrderDate: Cin7Day(date: now.date), LastUpdatedDate: now, _created: now)
        if let address {
            purchase.BillingAddress = Self.address(.init(Line1: address.Line1, Line2: address.Line2, City: address.City, State: address.State,
                                                         Country: address.Country), over: .init())
            purchase.BillingAddress.Postcode = address.Postcode
        }
        if input.PurchaseType?.cin7Equals("Simple") == true { purchase.Type = "Simple Purchase" }
        apply(input, to: &purchase, check: &check, creating: true)
        try check.finish()
        purchase.OrderNumber = nextNumber("PO")
        save(&purchase)
        return purchases.json(purchase.key) ?? []
    }

    func updatePurchase(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseInput.self, from: request.body).get()
        var purchase = try purchase(input.ID, "ID")
        try editable(purchase)
        var check = Cin7Validation()
        check.check(input.PurchaseType == nil, "PurchaseType is available only for POST.")
        if input.SupplierID != nil || input.Supplier != nil {
            let wanted = input.SupplierID.flatMap { suppliers[$0] } ?? input.Supplier.flatMap { name in suppliers.all.first { $0.Name.cin7Equals(name) } }
            check.check(wanted != nil, "Supplier '\(input.SupplierID ?? input.Supplier ?? "")' not found.")
            if let wanted, wanted.ID != purchase.SupplierID {
                check.check(purchase.Order.Status == "NOT AVAILABLE", "The supplier of a purchase cannot be changed once it has an order.")
                (purchase.Supplier, purchase.SupplierID, purchase.SupplierCurrency) = (wanted.Name, wanted.ID, wanted.Currency)
            }
        }
        if let approach = input.Approach {
            check.check(["INVOICE", "STOCK"].contains(approach.uppercased()), "Approach '\(approach)' is not valid. Use INVOICE or STOCK.")
            check.check(approach.uppercased() == purchase.Approach || (purchase.StockReceived.isEmpty && purchase.Invoice.isEmpty),
                        "Approach cannot be changed once stock is received or invoiced.")
            purchase.Approach = approach.uppercased()
        }
        if input.Location != nil { purchase.Location = documentLocation(input.Location, check: &check) }
        apply(input, to: &purchase, check: &check, creating: false)
        try check.finish()
        save(&purchase)
        return purchases.json(purchase.key) ?? []
    }

    private func apply(_ input: Cin7PurchaseInput, to purchase: inout Cin7Purchase, check: inout Cin7Validation, creating: Bool) {
        if let v = input.Contact { purchase.Contact = v }
        if let v = input.Phone { purchase.Phone = v.value }
        if let code = input.InventoryAccount?.value {
            check.check(accounts[code]?.isActive == true, "InventoryAccount '\(code)' not found or not ACTIVE.")
            purchase.InventoryAccount = code
        }
        if let a = input.BillingAddress { purchase.BillingAddress = Self.address(a, over: purchase.BillingAddress) }
        if let a = input.ShippingAddress { purchase.ShippingAddress = Self.address(a, over: purchase.ShippingAddress) }
        if let name = input.TaxRule {
            let rule = taxRule(named: name, forSale: false)
            check.check(rule != nil, "TaxRule '\(name)' not found or is not an active tax rule for purchases.")
            purchase.TaxRule = rule?.Name ?? name
        }
        if let v = input.TaxCalculation {
            check.check(["Inclusive", "Exclusive"].contains { $0.cin7Equals(v) }, "TaxCalculation '\(v)' is not valid. Use Inclusive or Exclusive.")
            check.check(purchase.Order.Lines.isEmpty || v.cin7Equals(purchase.TaxCalculation), "TaxCalculation cannot be changed once the order has lines.")
            purchase.TaxCalculation = v.cin7Equals("Inclusive") ? "Inclusive" : "Exclusive"
        }
        if let v = input.Terms { purchase.Terms = paymentTerm(v, check: &check) }
        if input.RequiredBy != nil { purchase.RequiredBy = check.day(input.RequiredBy, "RequiredBy") }
        if let v = input.Note { purchase.Note = v }
        check.length(purchase.Note, "Note", 1024)
        if let attributes = input.AdditionalAttributes {
            for (name, value) in attributes {
                check.check(purchase.AdditionalAttributes[name] != nil, "AdditionalAttributes.\(name) is not an additional attribute.")
                if purchase.AdditionalAttributes[name] != nil { purchase.AdditionalAttributes[name] = value ?? "" }
            }
        }
        if let rate = input.CurrencyRate?.value {
            check.check(rate > 0, "CurrencyRate must be greater than 0.")
            purchase.CurrencyRate = rate
        } else if creating && purchase.SupplierCurrency != purchase.BaseCurrency {
            check.fail("Required attribute CurrencyRate is not provided: supplier currency \(purchase.SupplierCurrency) differs from base currency \(purchase.BaseCurrency).")
        }
    }

    /// `DELETE /advanced-purchase?ID=&Void=`: with `Void=false` (the default) a
    /// purchase with nothing authorised is undone — removed; with `Void=true` it
    /// is voided: stock on order released, received stock sent back. Payments must go first.
    func deletePurchase(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var purchase = try purchase(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard !purchase._voided else { throw .badRequest("Purchase \(purchase.OrderNumber) is already voided.") }
        if !void {
            guard !purchase.orderAuthorised else {
                throw .badRequest("Purchase \(purchase.OrderNumber) has authorised tasks and cannot be undone; void it instead (Void=true).")
            }
            let json = purchases.json(purchase.key) ?? []
            purchases.remove(purchase.key)
            return json
        }
        guard purchase.paidTotal == 0 && purchase.Order.Prepayments.isEmpty && purchase.Invoice.allSatisfy(\.Payments.isEmpty) else {
            throw .badRequest("Purchase \(purchase.OrderNumber) has payments; delete them before voiding the purchase.")
        }
        var check = Cin7Validation()
        for task in purchase.StockReceived where task.Status == Cin7Purchase.authorised { checkReversible(task, check: &check) }
        try check.finish()
        for i in purchase.StockReceived.indices where purchase.StockReceived[i].Status != "VOIDED" {
            if purchase.StockReceived[i].Status == Cin7Purchase.authorised { unreceive(purchase.StockReceived[i], of: &purchase) }
            purchase.StockReceived[i].Status = "VOIDED"
        }
        for note in purchase.CreditNote where note.Status == Cin7Purchase.authorised {
            for line in note.Unstock { moveStock(line.ProductID, at: line.Location, onHand: line.Quantity, unitCost: line.Quantity > 0 ? line._cost / line.Quantity : 0) }
        }
        releaseOnOrder(of: purchase)
        purchase._voided = true
        if purchase.Order.Status != "NOT AVAILABLE" { purchase.Order.Status = "VOIDED" }
        for i in purchase.Invoice.indices { purchase.Invoice[i].Status = "VOIDED" }
        for i in purchase.CreditNote.indices { purchase.CreditNote[i].Status = "VOIDED" }
        save(&purchase)
        return purchases.json(purchase.key) ?? []
    }
}
