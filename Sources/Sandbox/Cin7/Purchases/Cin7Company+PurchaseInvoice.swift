import Foundation

/// `/advanced-purchase/invoice` (apib:17275-17637) and
/// `/advanced-purchase/creditnote` (apib:17638-18162). Each POST carries an
/// array of tasks: one without a `TaskID` (or with the empty GUID) is a new
/// invoice or credit note, one with a `TaskID` replaces that DRAFT task's
/// content. An invoice needs an AUTHORISED order (and, Stock First, an
/// AUTHORISED receipt); a credit note an AUTHORISED or PAID invoice. A credit
/// note's `Unstock` lines send stock back to the supplier when it is authorised.
extension Cin7Company {
    private func invoicesJSON(_ purchase: Cin7Purchase) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(["PurchaseID": purchase.ID]), [("Invoices", Cin7JSON.encode(purchase.Invoice))])
    }

    private func creditNotesJSON(_ purchase: Cin7Purchase) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(["PurchaseID": purchase.ID]), [("CreditNotes", Cin7JSON.encode(purchase.CreditNote))])
    }

    func getPurchaseInvoices(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        invoicesJSON(try purchase(Cin7Query.guid(request, "PurchaseID")))
    }

    func getPurchaseCreditNotes(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        creditNotesJSON(try purchase(Cin7Query.guid(request, "PurchaseID")))
    }

    /// A number for the purchase's n-th document of a kind: `INV-00007`, then `INV-00007-2` (apib:15905).
    private func documentNumber(_ prefix: String, _ purchase: Cin7Purchase, _ nth: Int) -> String {
        let digits = purchase.OrderNumber.split(separator: "-").last.map(String.init) ?? purchase.OrderNumber
        return "\(prefix)-\(digits)" + (nth > 1 ? "-\(nth)" : "")
    }

    private func isNew(_ taskID: String?) -> Bool {
        let id = (taskID ?? "").lowercased()
        return id.isEmpty || id == Self.emptyTaskID
    }

    func postPurchaseInvoices(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseTaskInput.self, from: request.body).get()
        var purchase = try purchase(input.PurchaseID)
        try editable(purchase)
        guard purchase.orderAuthorised else { throw .badRequest("Order status is \(purchase.Order.Status): an invoice needs an AUTHORISED order.") }
        if purchase.stockFirst && !purchase.StockReceived.contains(where: { $0.Status == Cin7Purchase.authorised }) {
            throw .badRequest("Purchase \(purchase.OrderNumber) is Stock First (Approach STOCK): it can be invoiced once stock received is AUTHORISED.")
        }
        guard let tasks = input.Invoices, !tasks.isEmpty else { throw .badRequest("Required attribute Invoices is not provided.") }
        var check = Cin7Validation()
        for (n, task) in tasks.enumerated() {
            let label = "Invoices[\(n)]"
            var invoice: Cin7Purchase.InvoiceTask
            let index: Int?
            if isNew(task.TaskID) {
                index = nil
                let today = Cin7Day(date: now())
                invoice = .init(TaskID: newID(), InvoicingAndReceivingNumber: purchase.Invoice.count + 1, InvoiceDate: today,
                                InvoiceDueDate: today, InvoiceNumber: documentNumber("INV", purchase, purchase.Invoice.count + 1),
                                Lines: purchase.Invoice.isEmpty ? purchase.Order.Lines : [],
                                AdditionalCharges: purchase.Invoice.isEmpty ? purchase.Order.AdditionalCharges : [])
            } else if let found = purchase.Invoice.firstIndex(where: { $0.TaskID == task.TaskID!.lowercased() }) {
                index = found
                invoice = purchase.Invoice[found]
                guard invoice.Status == "DRAFT" else {
                    check.fail("\(label): invoice status is \(invoice.Status): only a DRAFT invoice can be changed.")
                    continue
                }
            } else {
                check.fail("\(label): invoice with specified TaskID not found.")
                continue
            }
            let status = check.taskStatus(task.Status, label: "\(label).Status")
            if let date = check.day(task.InvoiceDate, "\(label).InvoiceDate") { invoice.InvoiceDate = date }
            if let due = check.day(task.InvoiceDueDate, "\(label).InvoiceDueDate") {
                invoice.InvoiceDueDate = due
            } else {
                invoice.InvoiceDueDate = Cin7Day(date: invoice.InvoiceDate.date.addingTimeInterval(Double(termDays(purchase.Terms)) * 86_400))
            }
            check.check(invoice.InvoiceDueDate.date >= invoice.InvoiceDate.date, "\(label).InvoiceDueDate must not be before InvoiceDate.")
            if let number = task.InvoiceNumber?.value, !number.isEmpty { invoice.InvoiceNumber = number }
            check.length(invoice.InvoiceNumber, "\(label).InvoiceNumber", 256)
            let context = purchaseLineContext(purchase, "\(label).")
            if let lines = task.Lines { invoice.Lines = documentLines(lines, context, check: &check) }
            if let charges = task.AdditionalCharges { invoice.AdditionalCharges = additionalCharges(charges, context, check: &check) }
            check.check(status != Cin7Purchase.authorised || !invoice.Lines.isEmpty || !invoice.AdditionalCharges.isEmpty,
                        "\(label): an invoice without lines cannot be AUTHORISED.")
            invoice.Status = status
            if let index { purchase.Invoice[index] = invoice } else { purchase.Invoice.append(invoice) }
        }
        try check.finish()
        save(&purchase)
        return invoicesJSON(purchase)
    }

    /// `DELETE /advanced-purchase/invoice?TaskID=&Void=`: undo takes an AUTHORISED
    /// invoice back to DRAFT, void voids it. Payments must be deleted first.
    func deletePurchaseInvoice(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let taskID = try Cin7Query.guid(request, "TaskID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard let taskID else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard var purchase = purchases.all.first(where: { $0.Invoice.contains { $0.TaskID == taskID } }) else {
            throw .badRequest("Invoice with specified TaskID not found.")
        }
        try editable(purchase)
        let index = purchase.Invoice.firstIndex { $0.TaskID == taskID }!
        let invoice = purchase.Invoice[index]
        guard invoice.Status != "VOIDED" else { throw .badRequest("Invoice \(invoice.InvoiceNumber) is already voided.") }
        guard invoice.Payments.isEmpty else { throw .badRequest("Invoice \(invoice.InvoiceNumber) has payments; delete them first.") }
        guard !purchase.CreditNote.contains(where: { $0.CreditNoteInvoiceNumber == invoice.InvoiceNumber && $0.Status != "VOIDED" }) else {
            throw .badRequest("Invoice \(invoice.InvoiceNumber) has a credit note; void the credit note first.")
        }
        guard void || invoice.Status != "DRAFT" else { throw .badRequest("Invoice \(invoice.InvoiceNumber) is DRAFT: there is nothing to undo.") }
        purchase.Invoice[index].Status = void ? "VOIDED" : "DRAFT"
        save(&purchase)
        return invoicesJSON(purchase)
    }

    // MARK: credit notes

    func postPurchaseCreditNotes(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PurchaseTaskInput.self, from: request.body).get()
        var purchase = try purchase(input.PurchaseID)
        try editable(purchase)
        guard let tasks = input.CreditNotes, !tasks.isEmpty else { throw .badRequest("Required attribute CreditNotes is not provided.") }
        var check = Cin7Validation()
        var authorisedNow: [String] = []
        for (n, task) in tasks.enumerated() {
            let label = "CreditNotes[\(n)]"
            let invoiceNumber = task.CreditNoteInvoiceNumber?.value
            let invoice = invoiceNumber.flatMap { number in purchase.Invoice.first { $0.InvoiceNumber.cin7Equals(number) } }
                ?? (invoiceNumber == nil ? purchase.Invoice.first(where: \.authorised) : nil)
            guard let invoice, invoice.authorised else {
                check.fail("\(label): a credit note needs an AUTHORISED or PAID invoice (\(invoiceNumber ?? "none is") \(invoiceNumber == nil ? "authorised" : "is not")).")
                continue
            }
            var note: Cin7Purchase.CreditNoteTask
            let index: Int?
            if isNew(task.TaskID) {
                index = nil
                note = .init(TaskID: newID(), CreditNoteInvoiceNumber: invoice.InvoiceNumber,
                             CreditNoteNumber: documentNumber("CR", purchase, purchase.CreditNote.count + 1), CreditNoteDate: Cin7Day(date: now()))
            } else if let found = purchase.CreditNote.firstIndex(where: { $0.TaskID == task.TaskID!.lowercased() }) {
                index = found
                note = purchase.CreditNote[found]
                guard note.Status == "DRAFT" else {
                    check.fail("\(label): credit note status is \(note.Status): only a DRAFT credit note can be changed.")
                    continue
                }
            } else {
                check.fail("\(label): credit note with specified TaskID not found.")
                continue
            }
            let status = check.taskStatus(task.Status, label: "\(label).Status")
            note.CreditNoteInvoiceNumber = invoice.InvoiceNumber
            if let date = check.day(task.CreditNoteDate, "\(label).CreditNoteDate") {
                note.CreditNoteDate = date
            } else if task.CreditNoteDate == nil && index == nil {
                check.fail("Required attribute \(label).CreditNoteDate is not provided.")
            }
            if let number = task.CreditNoteNumber?.value, !number.isEmpty { note.CreditNoteNumber = number }
            let context = purchaseLineContext(purchase, "\(label).")
            if let lines = task.Lines { note.Lines = documentLines(lines, context, check: &check) }
            if let charges = task.AdditionalCharges { note.AdditionalCharges = additionalCharges(charges, context, check: &check) }
            if let unstock = task.Unstock { note.Unstock = unstockLines(unstock, purchase: purchase, date: note.CreditNoteDate, label: "\(label).Unstock", check: &check) }
            let total = Cin7DocumentTotals(lines: note.Lines, charges: note.AdditionalCharges, inclusive: purchase.inclusive).total
            check.check(total <= invoice.Total, "\(label): credit note total \(total) exceeds the invoice total \(invoice.Total).")
            check.check(status != Cin7Purchase.authorised || total > 0, "\(label): a credit note without lines cannot be AUTHORISED.")
            if status == Cin7Purchase.authorised { checkOnHand(note.Unstock, check: &check) }
            note.Status = status
            if status == Cin7Purchase.authorised { authorisedNow.append(note.TaskID) }
            if let index { purchase.CreditNote[index] = note } else { purchase.CreditNote.append(note) }
        }
        try check.finish()
        for taskID in authorisedNow {
            guard let i = purchase.CreditNote.firstIndex(where: { $0.TaskID == taskID }) else { continue }
            var note = purchase.CreditNote[i]
            unstock(&note, of: &purchase)
            purchase.CreditNote[i] = note
        }
        save(&purchase)
        return creditNotesJSON(purchase)
    }

    private func unstockLines(_ inputs: [Cin7LineInput], purchase: Cin7Purchase, date: Cin7Day, label: String, check: inout Cin7Validation) -> [Cin7Purchase.UnstockLine] {
        inputs.enumerated().compactMap { index, input in
            guard let product = lineProduct(input), product.isStock else {
                check.fail("\(label)[\(index)]: stock product \(input.ProductID ?? input.SKU?.value ?? "(no ProductID or SKU)") not found.")
                return nil
            }
            let quantity = input.Quantity?.value ?? 0
            check.check(quantity > 0, "\(label)[\(index)].Quantity must be greater than 0.")
            check.check(quantity <= purchase.received[product.ID, default: 0], "\(label)[\(index)]: cannot unstock more \(product.SKU) than was received.")
            let location = documentLocation(input.Location ?? purchase.Location, check: &check)
            return .init(CardID: newID(), Date: check.day(input.Date, "\(label)[\(index)].Date") ?? date, Quantity: quantity,
                         ProductID: product.ID, SKU: product.SKU, Name: product.Name, Location: location, BatchSN: input.BatchSN,
                         ExpiryDate: check.day(input.ExpiryDate, "\(label)[\(index)].ExpiryDate"), productFields: Cin7ProductFields(product))
        }
    }

    private func checkOnHand(_ lines: [Cin7Purchase.UnstockLine], check: inout Cin7Validation) {
        for line in lines {
            let onHand = stock.filter { $0.productID == line.ProductID && $0.location.cin7Equals(line.Location) }.reduce(Decimal(0)) { $0 + $1.onHand }
            check.check(onHand >= line.Quantity, "Not enough stock of \(line.SKU) at \(line.Location) to unstock: \(line.Quantity) wanted, \(onHand) on hand.")
        }
    }

    /// The stock of an authorised credit note leaves at its current cost (a negative movement).
    private func unstock(_ note: inout Cin7Purchase.CreditNoteTask, of purchase: inout Cin7Purchase) {
        for i in note.Unstock.indices {
            let line = note.Unstock[i]
            let cost = moveStock(line.ProductID, at: line.Location, onHand: -line.Quantity)
            note.Unstock[i]._cost = Cin7Number.rounded(cost * line.Quantity, places: 2)
            if let product = products[line.ProductID] {
                purchase.InventoryMovements.append(.init(TaskID: note.TaskID, product: product, Date: line.Date, COGS: -note.Unstock[i]._cost))
            }
        }
    }

    /// `DELETE /advanced-purchase/creditnote?TaskID=`: voids it (apib:18064); unstocked stock comes back. Refunds go first.
    func deletePurchaseCreditNote(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let taskID = try Cin7Query.guid(request, "TaskID")
        guard let taskID else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard var purchase = purchases.all.first(where: { $0.CreditNote.contains { $0.TaskID == taskID } }) else {
            throw .badRequest("Credit note with specified TaskID not found.")
        }
        try editable(purchase)
        let index = purchase.CreditNote.firstIndex { $0.TaskID == taskID }!
        let note = purchase.CreditNote[index]
        guard note.Status != "VOIDED" else { throw .badRequest("Credit note \(note.CreditNoteNumber) is already voided.") }
        guard note.Refunds.isEmpty else { throw .badRequest("Credit note \(note.CreditNoteNumber) has refunds; delete them first.") }
        if note.Status == Cin7Purchase.authorised {
            for line in note.Unstock {
                moveStock(line.ProductID, at: line.Location, onHand: line.Quantity, unitCost: line.Quantity > 0 ? line._cost / line.Quantity : 0)
            }
            purchase.InventoryMovements.removeAll { $0.TaskID == note.TaskID }
        }
        purchase.CreditNote[index].Status = "VOIDED"
        save(&purchase)
        return creditNotesJSON(purchase)
    }
}
