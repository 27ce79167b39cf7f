import Foundation

/// The purchase events (apib:27640-27700): found, as for sales, by comparing
/// the purchase before and after each save. The examples send the supplier's
/// fields as null; the sandbox fills them in, as a receiver cannot rely on either.
extension Cin7Company {
    func raisePurchaseEvents(before: Cin7Purchase?, after purchase: Cin7Purchase) {
        let authorised = Cin7Sale.authorised
        let supplier = suppliers[purchase.SupplierID]
        let base: [String: Any] = [
            "TaskID": purchase.ID, "PurchaseOrderNumber": purchase.OrderNumber, "SupplierName": purchase.Supplier,
            "SupplierContactName": purchase.Contact.isEmpty ? NSNull() : purchase.Contact,
            "SupplierContactEmail": supplier?.Contacts.first?.Email ?? NSNull(),
        ]
        func newly(_ old: [String], _ new: [(String, String)]) -> [(String, String)] {
            new.filter { task, status in [authorised, "PAID"].contains(status) && !old.contains(task) }
        }
        if purchase.Order.Status == authorised, before?.Order.Status != authorised {
            raise("Purchase/OrderAuthorised", base)
        }
        let receivedBefore = before?.StockReceived.filter { $0.Status == authorised }.map(\.TaskID) ?? []
        for _ in newly(receivedBefore, purchase.StockReceived.map { ($0.TaskID, $0.Status) }) {
            raise("Purchase/StockReceivedAuthorised", base.merging(["InvoiceNumber": purchase.Invoice.first?.InvoiceNumber ?? NSNull()]) { a, _ in a })
        }
        let invoicedBefore = before?.Invoice.filter { [authorised, "PAID"].contains($0.Status) }.map(\.TaskID) ?? []
        for (task, _) in newly(invoicedBefore, purchase.Invoice.map { ($0.TaskID, $0.Status) }) {
            let number = purchase.Invoice.first { $0.TaskID == task }?.InvoiceNumber ?? ""
            raise("Purchase/InvoiceAuthorised", base.merging(["InvoiceNumber": number]) { a, _ in a })
        }
        let creditedBefore = before?.CreditNote.filter { $0.Status == authorised }.map(\.TaskID) ?? []
        for (task, _) in newly(creditedBefore, purchase.CreditNote.map { ($0.TaskID, $0.Status) }) {
            let number = purchase.CreditNote.first { $0.TaskID == task }?.CreditNoteNumber ?? ""
            raise("Purchase/CreditNoteAuthorised", base.merging(["CreditNoteNumber": number]) { a, _ in a })
        }
    }
}
