import Foundation

/// Which webhook events a change to a sale raises: found by comparing the
/// sale before and after (every sale write goes through `save`), so no
/// endpoint has to remember to announce what it did.
extension Cin7Company {
    func raiseSaleEvents(before: Cin7Sale?, after sale: Cin7Sale) {
        let authorised = Cin7Sale.authorised
        func became(_ old: String?, _ new: String, _ states: Set<String> = [authorised]) -> Bool {
            states.contains(new) && !(old.map(states.contains) ?? false)
        }
        var base: [String: Any] = ["SaleID": sale.ID.uppercased(), "SaleOrderNumber": sale.Order.SaleOrderNumber]
        let customer: [String: Any] = ["CustomerName": sale.Customer, "CustomerContactName": sale.Contact, "CustomerContactEmail": sale.Email]

        if became(before?.Quote.Status, sale.Quote.Status) { raise("Sale/QuoteAuthorised", base) }
        if became(before?.Order.Status, sale.Order.Status, [authorised, "FULFILLED", "CLOSED"]) { raise("Sale/OrderAuthorised", base) }
        if became(before?.Status, sale.Status, ["VOIDED"]) { raise("Sale/Voided", base.merging(customer) { a, _ in a }) }
        if became(before?.Status, sale.Status, ["BACKORDERED"]) { raise("Sale/Backordered", base) }
        if let fulfilment = sale.fulfilment {
            let old = before?.fulfilment
            let task = base.merging(customer) { a, _ in a }.merging(["TaskID": fulfilment.TaskID.uppercased()]) { a, _ in a }
            if became(old?.Pick.Status, fulfilment.Pick.Status) { raise("Sale/PickAuthorised", task) }
            if became(old?.Pack.Status, fulfilment.Pack.Status) { raise("Sale/PackAuthorised", task) }
            if became(old?.Ship.Status, fulfilment.Ship.Status) {
                raise("Sale/ShipmentAuthorised", ["SaleTaskID": fulfilment.TaskID.uppercased(), "TenantID": accountID.uppercased(),
                                                  "OrderNumber": sale.Order.SaleOrderNumber].merging(customer) { a, _ in a })
            }
            let tracking = fulfilment.Ship.Lines.map(\.TrackingNumber)
            if fulfilment.Ship.Status == authorised, let old, tracking != old.Ship.Lines.map(\.TrackingNumber), !tracking.allSatisfy(\.isEmpty) {
                raise("Sale/ShipmentTrackingNumberChanged", [
                    "SaleID": sale.ID, "TaskID": fulfilment.TaskID, "SaleOrderNumber": sale.Order.SaleOrderNumber,
                    "CustomerContact": sale.Contact, "CustomerEmail": sale.Email, "CustomerName": sale.Customer, "TaskTypeSign": 0,
                    "Shipments": fulfilment.Ship.Lines.map { line in
                        ["ShipmentDate": Cin7DateFormat.webhookDay(line.ShipmentDate.date), "TrackingNumber": line.TrackingNumber,
                         "TrackingUrl": line.TrackingURL, "Carrier": line.Carrier] as [String: Any]
                    },
                ])
            }
        }
        if let invoice = sale.invoice, became(before?.invoice?.Status, invoice.Status, [authorised, "PAID"]) {
            raise("Sale/InvoiceAuthorised", ["SaleTaskID": invoice.TaskID.uppercased(), "TenantID": accountID.uppercased(),
                                             "OrderNumber": sale.Order.SaleOrderNumber, "InvoiceNumber": invoice.InvoiceNumber]
                .merging(customer) { a, _ in a })
        }
        if let note = sale.creditNote, became(before?.creditNote?.Status, note.Status) {
            base["CreditNoteNumber"] = note.CreditNoteNumber
            base["TaskID"] = note.TaskID.uppercased()
            raise("Sale/CreditNoteAuthorised", base.merging(customer) { a, _ in a })
        }
        if let invoice = sale.invoice, let old = before, invoice.Paid != (old.invoice?.Paid ?? 0), invoice.Paid > 0 {
            let full = invoice.Paid >= invoice.Total
            let percent = invoice.Total > 0 ? Cin7Number.rounded(invoice.Paid / invoice.Total * 100, places: 2) : 0
            raise(full ? "Sale/FullPaymentReceived" : "Sale/PartialPaymentReceived", [
                "SaleID": sale.ID, "DocumentNumber": invoice.InvoiceNumber, "DocumentType": "invoice",
                "DocumentDate": Cin7DateFormat.webhookDay(invoice.InvoiceDate.date), "AmountPercent": Cin7Number.fixed(percent, places: 2),
            ].merging(customer) { a, _ in a })
        }
    }

    /// `Stock/AvailableStockLevelChanged`: the availability rows of the
    /// products whose stock moved, as the bare array Cin7 sends.
    func raiseStockEvents() {
        defer { stockChanged = [] }
        guard !stockChanged.isEmpty, webhooks.all.contains(where: { $0.IsActive && $0.Type == "Stock/AvailableStockLevelChanged" }) else { return }
        let rows = stock.filter { stockChanged.contains($0.productID) }.compactMap { level -> [String: Any]? in
            guard let product = products[level.productID] else { return nil }
            return ["ID": product.ID, "SKU": product.SKU, "Name": product.Name, "Barcode": product.Barcode, "Location": level.location,
                    "Bin": level.bin ?? NSNull(), "Batch": level.batch ?? NSNull(), "ExpiryDate": NSNull(), "Category": product.Category,
                    "OnHand": json(level.onHand), "Allocated": json(level.allocated), "Available": json(level.onHand - level.allocated),
                    "OnOrder": json(level.onOrder), "StockOnHand": json(Cin7Number.rounded(level.onHand * level.unitCost, places: 4))]
        }
        let counted = rows.map { $0.merging(["MaxRows": rows.count]) { a, _ in a } }
        raise("Stock/AvailableStockLevelChanged", object: counted)
    }

    /// JSONSerialization writes doubles; four places survive the trip.
    private func json(_ value: Decimal) -> Double {
        NSDecimalNumber(decimal: value).doubleValue
    }
}
