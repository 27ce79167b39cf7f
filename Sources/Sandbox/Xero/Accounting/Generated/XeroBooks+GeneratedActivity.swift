import Foundation

/// The generated business's history as an organisation that has been synced
/// all along would show it: items for the products, the tracking categories,
/// an invoice per sale, a bill per purchase, and the payments of the paid ones.
/// Written through the API's own save functions, so totals, numbering, derived
/// contact flags and validation are exactly what the API produces.
extension XeroBooks {
    struct GeneratedLoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Loads the history once per start or reset; nothing without a business
    /// or when it was asked for contacts only. Webhooks announce none of it.
    func loadGeneratedActivity() throws(GeneratedLoadError) {
        guard let business, loadsActivity else { return }
        try save("Items", business.products.map(Self.item), { saveItems($0, createOnly: true) })
        for category in business.trackingCategories {
            // Tracking categories and options are written one bare object at a time.
            let created = try save("TrackingCategories", [["Name": category.name]], bare: true, { saveTrackingCategory($0, key: nil) })
            guard let id = created.first?["TrackingCategoryID"] as? String else { throw .init(description: "no TrackingCategoryID for \(category.name)") }
            for option in category.options {
                try save("Options", [["Name": option]], bare: true, { saveTrackingOption($0, categoryKey: id, optionKey: nil) })
            }
        }
        let products = Dictionary(business.products.map { ($0.id, $0) }) { first, _ in first }
        var payments: [[String: Any]] = []
        for chunk in stride(from: 0, to: business.documents.count, by: 500) {
            let documents = Array(business.documents[chunk..<min(chunk + 500, business.documents.count)])
            let saved = try save("Invoices", documents.map { Self.invoice($0, business, products) }, { saveDocuments(InvoiceKind.self, $0, createOnly: true, clientID: "generator") })
            for (document, invoice) in zip(documents, saved) {
                guard let paidOn = document.paidOn, let id = invoice["InvoiceID"] as? String, let total = invoice["Total"] as? NSNumber else { continue }
                payments.append(["Invoice": ["InvoiceID": id], "Account": ["Code": "090"], "Amount": total, "Date": Self.day(paidOn),
                                 "CurrencyRate": NSDecimalNumber(decimal: document.currencyRate), "Reference": "Generated " + document.number])
            }
        }
        for chunk in stride(from: 0, to: payments.count, by: 500) {
            try save("Payments", Array(payments[chunk..<min(chunk + 500, payments.count)]), { savePayments($0) })
        }
        discardWebhookEvents()
    }

    /// One batch through a save function; every element must be accepted.
    @discardableResult
    private func save(_ collection: String, _ elements: [[String: Any]], bare: Bool = false,
                      _ call: (SandboxRequest) -> SandboxResponse) throws(GeneratedLoadError) -> [[String: Any]] {
        guard !elements.isEmpty else { return [] }
        let key = collection
        var payload: Any = [key: elements] as [String: Any]
        if bare { payload = elements[0] }
        let body = (try? JSONSerialization.data(withJSONObject: payload)) ?? Data()
        let request = SandboxRequest(method: "PUT", target: "/api.xro/2.0/\(collection)?summarizeErrors=false", headers: [("accept", "application/json")], body: Array(body))
        let response = call(request)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let records = object?[key] as? [[String: Any]] ?? []
        let failed = records.compactMap { record in (record["ValidationErrors"] as? [[String: Any]])?.compactMap { $0["Message"] as? String } }.flatMap { $0 }
        guard response.status == 200, failed.isEmpty, records.count == elements.count else {
            let detail = failed.isEmpty ? String(decoding: response.body.prefix(500), as: UTF8.self) : failed.prefix(5).joined(separator: "; ")
            throw GeneratedLoadError(description: "generated \(collection) refused (\(response.status)): \(detail)")
        }
        return records
    }

    private static func item(_ product: GeneratedBusiness.Product) -> [String: Any] {
        // Untracked items: Cin7 Core keeps the stock; Xero's tracked inventory stays off (reference §7).
        ["Code": product.sku, "Name": product.name, "Description": product.name, "PurchaseDescription": product.name,
         "IsSold": true, "IsPurchased": !product.isAssembly,
         "SalesDetails": ["UnitPrice": NSDecimalNumber(decimal: product.salePrice), "AccountCode": "200"],
         "PurchaseDetails": ["UnitPrice": NSDecimalNumber(decimal: product.cost), "AccountCode": "310"]]
    }

    private static func invoice(_ document: GeneratedBusiness.Document, _ business: GeneratedBusiness,
                                _ products: [UUID: GeneratedBusiness.Product]) -> [String: Any] {
        let sale = document.kind == .sale
        var invoice: [String: Any] = [
            "Type": sale ? "ACCREC" : "ACCPAY", "Contact": ["ContactID": document.partyID.uuidString.lowercased()],
            "Date": day(document.date), "DueDate": day(document.date.addingTimeInterval(30 * 86_400)),
            "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "CurrencyCode": document.currency,
            "LineItems": document.lines.map { line -> [String: Any] in
                let product = products[line.productID]
                var item: [String: Any] = ["ItemCode": product?.sku ?? "", "Description": product?.name ?? "", "Quantity": NSDecimalNumber(decimal: line.quantity),
                                           "UnitAmount": NSDecimalNumber(decimal: line.unitPrice), "AccountCode": sale ? "200" : "310"]
                if let tracking = document.tracking { item["Tracking"] = [["Name": tracking.category, "Option": tracking.option]] }
                return item
            },
        ]
        if document.currency != business.baseCurrency { invoice["CurrencyRate"] = NSDecimalNumber(decimal: document.currencyRate) }
        // The Cin7 order number travels as the sale's reference (the invoice numbered
        // after it, as Cin7's INV-… are), or as the bill's number.
        if sale {
            invoice["Reference"] = document.number
            invoice["InvoiceNumber"] = "INV-" + document.number.dropFirst(3)
        } else {
            invoice["InvoiceNumber"] = document.number
        }
        return invoice
    }

    private static func day(_ date: Date) -> String {
        let c = XeroDateFormat.utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
