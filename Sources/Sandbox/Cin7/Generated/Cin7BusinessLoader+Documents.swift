import Foundation

/// Sales and purchases, each taken through its steps as a client would.
///
/// Cin7 numbers orders itself (`SO-00001`, `PO-00001`: five digits, no way to
/// send one), and sales and purchases are loaded in the generator's order, so
/// the n-th generated sale is `SO-0000n` — the generator's `SO-00000n`. The
/// generator's number also travels where Xero will look for it: a sale's
/// `CustomerReference` (Xero's `Reference`) and a purchase invoice's
/// `InvoiceNumber` (the bill's number).
extension Cin7BusinessLoader {
    /// Sale (quote skipped), authorised order with automatic pick, pack and
    /// ship, authorised invoice on the document's date, and, when paid, one
    /// payment of the whole invoice.
    mutating func loadSale(_ document: GeneratedBusiness.Document, into company: isolated Cin7Company) {
        guard let customer = customerIDs[document.partyID] else { return }
        company.pinnedNow = document.date
        let header: [String: Any] = ["CustomerID": customer, "Location": location, "SkipQuote": true, "SaleOrderDate": Self.day(document.date),
                                     "CustomerReference": document.number, "CurrencyRate": Self.cin7Rate(document)]
        guard let sale = call("sale \(document.number)", header, parse: true, company.createSale), let id = sale["ID"] as? String else { return }
        let order: [String: Any] = ["SaleID": id, "Status": "AUTHORISED", "AutoPickPackShipMode": "AUTOPICKPACKSHIP", "Lines": lines(document)]
        guard call("order of \(document.number)", order, company.postSaleOrder) != nil else { return }
        let invoice: [String: Any] = ["SaleID": id, "Status": "AUTHORISED", "InvoiceDate": Self.day(document.date)]
        guard call("invoice of \(document.number)", invoice, { request throws(Cin7Failure) in
            try company.writeSaleInvoice(request, updating: false)
        }) != nil else { return }
        // The amount owed as the company holds it: exact, where the JSON answer would pass through Double.
        guard let paidOn = document.paidOn, let task = company.sales[id]?.invoice else { return }
        company.pinnedNow = paidOn
        _ = call("payment of \(document.number)", payment(task.TaskID, task.Total, paidOn, document), company.postSalePayment)
    }

    /// Advanced purchase, Stock First: authorised order, one receipt of
    /// everything ordered, authorised invoice numbered as the generator's
    /// document, and, when paid, one payment of the whole invoice.
    mutating func loadPurchase(_ document: GeneratedBusiness.Document, into company: isolated Cin7Company) {
        guard let supplier = supplierIDs[document.partyID] else { return }
        company.pinnedNow = document.date
        let header: [String: Any] = ["SupplierID": supplier, "Location": location, "Approach": "STOCK", "CurrencyRate": Self.cin7Rate(document),
                                     "Note": document.number]
        guard let purchase = call("purchase \(document.number)", header, parse: true, company.createPurchase), let id = purchase["ID"] as? String else { return }
        let order: [String: Any] = ["TaskID": id, "Status": "AUTHORISED", "Lines": lines(document)]
        guard call("order of \(document.number)", order, company.postPurchaseOrder) != nil else { return }
        let received = document.lines.compactMap { line in
            productIDs[line.productID].map {
                ["ProductID": $0, "Quantity": Self.number(line.quantity), "Location": location, "Date": Self.day(document.date)] as [String: Any]
            }
        }
        let receipt: [String: Any] = ["PurchaseID": id, "Status": "AUTHORISED", "Lines": received]
        guard call("receipt of \(document.number)", receipt, { request throws(Cin7Failure) in
            try company.writePurchaseStock(request, replacing: false)
        }) != nil else { return }
        let invoice: [String: Any] = ["PurchaseID": id, "Invoices": [["Status": "AUTHORISED", "InvoiceDate": Self.day(document.date),
                                                                     "InvoiceNumber": document.number]]]
        guard call("invoice of \(document.number)", invoice, company.postPurchaseInvoices) != nil else { return }
        guard let paidOn = document.paidOn, let task = company.purchases[id]?.Invoice.first else { return }
        company.pinnedNow = paidOn
        _ = call("payment of \(document.number)", payment(task.TaskID, task.Total, paidOn, document), company.postPurchasePayment)
    }

    /// Order lines at the document's prices, in its currency; tax from the product's rule.
    private func lines(_ document: GeneratedBusiness.Document) -> [[String: Any]] {
        document.lines.compactMap { line in
            productIDs[line.productID].map { ["ProductID": $0, "Quantity": Self.number(line.quantity), "Price": Self.number(line.unitPrice)] }
        }
    }

    private func payment(_ taskID: String, _ amount: Decimal, _ date: Date, _ document: GeneratedBusiness.Document) -> [String: Any] {
        ["TaskID": taskID, "Type": "PAYMENT", "Amount": Self.number(amount), "DatePaid": Self.day(date), "Account": Self.bank,
         "CurrencyRate": Self.cin7Rate(document), "Reference": "Payment \(document.number)"]
    }
}
