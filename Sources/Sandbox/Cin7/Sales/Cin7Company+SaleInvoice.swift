import Foundation

/// `/sale/invoice` (GET, POST, PUT, DELETE ?TaskID=&Void=) and
/// `/sale/creditnote` (GET, POST, DELETE) of a Simple Sale: one of each
/// (apib:23918-24553). An invoice needs an AUTHORISED order; a credit note an
/// AUTHORISED (or PAID) invoice. Authorising a credit note with `Restock`
/// lines puts that stock back on hand.
extension Cin7Company {
    static let emptyGUID = "00000000-0000-0000-0000-000000000000"

    private func invoicesJSON(_ sale: Cin7Sale) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(["SaleID": sale.ID]), [("Invoices", Cin7JSON.encode(sale.Invoices))])
    }

    private func creditNotesJSON(_ sale: Cin7Sale) -> [UInt8] {
        Cin7JSON.appending(Cin7JSON.encode(["SaleID": sale.ID]), [("CreditNotes", Cin7JSON.encode(sale.CreditNotes))])
    }

    func getSaleInvoices(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        invoicesJSON(try sale(Cin7Query.guid(request, "SaleID")))
    }

    func getSaleCreditNotes(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        creditNotesJSON(try sale(Cin7Query.guid(request, "SaleID")))
    }

    /// Days a payment term gives (`30 days` → 30); 0 when its name holds no number.
    func termDays(_ term: String) -> Int {
        Int(term.prefix { $0.isNumber }) ?? 0
    }

    /// `POST` (create, or replace a DRAFT invoice's content) and `PUT` (change a DRAFT invoice).
    func writeSaleInvoice(_ request: SandboxRequest, updating: Bool) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaskInput.self, from: request.body).get()
        var sale = try sale(input.SaleID)
        try editable(sale)
        guard sale.orderAuthorised else { throw .badRequest("Order status is \(sale.Order.Status): an invoice needs an AUTHORISED order.") }
        let taskID = (input.TaskID ?? "").lowercased()
        var invoice: Cin7Sale.Invoice
        if let existing = sale.invoice {
            guard taskID.isEmpty || taskID == Self.emptyGUID || taskID == existing.TaskID else { throw .badRequest("Invoice with specified TaskID not found.") }
            guard taskID == existing.TaskID || (taskID.isEmpty && updating) else {
                throw .badRequest("Sale \(sale.Order.SaleOrderNumber) already has an invoice (\(existing.InvoiceNumber)); the sandbox keeps one invoice per sale (Simple Sale).")
            }
            guard existing.Status == "DRAFT" else {
                throw .badRequest("Invoice status is \(existing.Status): only a DRAFT invoice can be changed.")
            }
            invoice = existing
        } else {
            guard !updating else { throw .badRequest("Invoice with specified TaskID not found.") }
            let today = Cin7Day(date: now())
            invoice = .init(TaskID: newID(), InvoiceNumber: "", InvoiceDate: today, InvoiceDueDate: today,
                            CurrencyConversionRate: sale.CurrencyRate,
                            BillingAddressLine1: sale.BillingAddress.DisplayAddressLine1, BillingAddressLine2: sale.BillingAddress.DisplayAddressLine2,
                            Lines: sale.Order.Lines.map { var l = $0; l._allocated = 0; l.BackorderQuantity = 0; return l },
                            AdditionalCharges: sale.Order.AdditionalCharges)
        }
        var check = Cin7Validation()
        let status = input.Status == nil && updating ? invoice.Status : check.taskStatus(input.Status)
        let creating = sale.invoice == nil
        if let date = check.day(input.InvoiceDate, "InvoiceDate") {
            invoice.InvoiceDate = date
        } else if creating && input.InvoiceDate == nil {
            check.fail("Required attribute InvoiceDate is not provided.")
        }
        if let due = check.day(input.InvoiceDueDate, "InvoiceDueDate") {
            invoice.InvoiceDueDate = due
        } else if creating || input.InvoiceDate != nil {
            invoice.InvoiceDueDate = Cin7Day(date: invoice.InvoiceDate.date.addingTimeInterval(Double(termDays(sale.Terms)) * 86_400))
        }
        check.check(invoice.InvoiceDueDate.date >= invoice.InvoiceDate.date, "InvoiceDueDate must not be before InvoiceDate.")
        if let rate = input.CurrencyConversionRate?.value {
            check.check(rate > 0, "CurrencyConversionRate must be greater than 0.")
            invoice.CurrencyConversionRate = rate
        }
        if let memo = input.Memo { invoice.Memo = memo }
        if let v = input.BillingAddressLine1 { invoice.BillingAddressLine1 = v }
        if let v = input.BillingAddressLine2 { invoice.BillingAddressLine2 = v }
        if let lines = input.Lines { invoice.Lines = documentLines(lines, lineContext(sale), check: &check) }
        if let charges = input.AdditionalCharges { invoice.AdditionalCharges = additionalCharges(charges, lineContext(sale), check: &check) }
        check.check(status != Cin7Sale.authorised || !invoice.Lines.isEmpty || !invoice.AdditionalCharges.isEmpty,
                    "An invoice without lines cannot be AUTHORISED.")
        try check.finish()
        invoice.Status = status
        if invoice.InvoiceNumber.isEmpty { invoice.InvoiceNumber = nextNumber("INV") }
        sale.Invoices = [invoice]
        if sale.Fulfilments.indices.contains(0) { sale.Fulfilments[0].LinkedInvoiceNumber = invoice.InvoiceNumber }
        save(&sale)
        return invoicesJSON(sale)
    }

    /// `DELETE /sale/invoice?TaskID=&Void=`: undo takes an AUTHORISED invoice back to
    /// DRAFT; void voids it. Either way its payments must be deleted first.
    func deleteSaleInvoice(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let taskID = try Cin7Query.guid(request, "TaskID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard let taskID else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard var sale = sales.all.first(where: { $0.invoice?.TaskID == taskID }) else { throw .badRequest("Invoice with specified TaskID not found.") }
        try editable(sale)
        let invoice = sale.invoice!
        guard invoice.Status != "VOIDED" else { throw .badRequest("Invoice \(invoice.InvoiceNumber) is already voided.") }
        guard invoice.Payments.isEmpty else { throw .badRequest("Invoice \(invoice.InvoiceNumber) has payments; delete them first.") }
        guard sale.creditNote.map({ $0.Status == "VOIDED" }) ?? true else {
            throw .badRequest("Invoice \(invoice.InvoiceNumber) has a credit note; void the credit note first.")
        }
        if void {
            sale.Invoices[0].Status = "VOIDED"
        } else {
            guard invoice.Status != "DRAFT" else { throw .badRequest("Invoice \(invoice.InvoiceNumber) is DRAFT: there is nothing to undo.") }
            sale.Invoices[0].Status = "DRAFT"
        }
        save(&sale)
        return invoicesJSON(sale)
    }

    // MARK: credit note

    func postSaleCreditNote(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaskInput.self, from: request.body).get()
        var sale = try sale(input.SaleID)
        try editable(sale)
        guard sale.invoiceAuthorised, let invoice = sale.invoice else {
            throw .badRequest("Invoice status is \(sale.invoice?.Status ?? "NOT AVAILABLE"): a credit note needs an AUTHORISED invoice.")
        }
        let taskID = (input.TaskID ?? "").lowercased()
        var note: Cin7Sale.CreditNote
        if let existing = sale.creditNote, existing.Status != "VOIDED" {
            guard taskID == existing.TaskID else {
                throw .badRequest("Sale \(sale.Order.SaleOrderNumber) already has a credit note (\(existing.CreditNoteNumber)); the sandbox keeps one per sale (Simple Sale).")
            }
            guard existing.Status == "DRAFT" else { throw .badRequest("Credit note status is \(existing.Status): only a DRAFT credit note can be changed.") }
            note = existing
        } else {
            note = .init(TaskID: newID(), CreditNoteInvoiceNumber: invoice.InvoiceNumber, CreditNoteNumber: "",
                         CreditNoteDate: Cin7Day(date: now()), CreditNoteConversionRate: invoice.CurrencyConversionRate,
                         Lines: invoice.Lines, AdditionalCharges: invoice.AdditionalCharges)
        }
        var check = Cin7Validation()
        let status = check.taskStatus(input.Status)
        if let number = input.CreditNoteInvoiceNumber {
            check.check(number.cin7Equals(invoice.InvoiceNumber), "CreditNoteInvoiceNumber '\(number)' is not an invoice of this sale.")
        }
        if let date = check.day(input.CreditNoteDate, "CreditNoteDate") {
            note.CreditNoteDate = date
        } else if input.CreditNoteDate == nil && note.CreditNoteNumber.isEmpty {
            check.fail("Required attribute CreditNoteDate is not provided.")
        }
        if let rate = input.CreditNoteConversionRate?.value { note.CreditNoteConversionRate = rate }
        if let memo = input.Memo { note.Memo = memo }
        if let lines = input.Lines { note.Lines = documentLines(lines, lineContext(sale, "CreditNote."), check: &check) }
        if let charges = input.AdditionalCharges { note.AdditionalCharges = additionalCharges(charges, lineContext(sale, "CreditNote."), check: &check) }
        if let restock = input.Restock { note.Restock = stockLines(restock, sale: sale, label: "Restock", check: &check) }
        let total = Cin7DocumentTotals(lines: note.Lines, charges: note.AdditionalCharges, inclusive: sale.inclusive).total
        check.check(total <= invoice.Total, "Credit note total \(total) exceeds the invoice total \(invoice.Total).")
        check.check(status != Cin7Sale.authorised || total > 0, "A credit note without lines cannot be AUTHORISED.")
        for line in note.Restock {
            check.check(products[line.ProductID]?.isStock == true, "Restock: \(line.SKU) is not a stock product.")
        }
        try check.finish()
        note.Status = status
        if note.CreditNoteNumber.isEmpty { note.CreditNoteNumber = nextNumber("CR") }
        if status == Cin7Sale.authorised {
            for line in note.Restock {
                moveStock(line.ProductID, at: line.Location, onHand: line.Quantity, unitCost: products[line.ProductID]?.AverageCost ?? 0)
            }
        }
        sale.CreditNotes = [note]
        save(&sale)
        return creditNotesJSON(sale)
    }

    /// `DELETE /sale/creditnote?TaskID=&Void=`: restocked stock leaves again; refunds must go first.
    func deleteSaleCreditNote(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let taskID = try Cin7Query.guid(request, "TaskID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard let taskID else { throw .badRequest("Required attribute TaskID is not provided.") }
        guard var sale = sales.all.first(where: { $0.creditNote?.TaskID == taskID }) else { throw .badRequest("Credit note with specified TaskID not found.") }
        try editable(sale)
        let note = sale.creditNote!
        guard note.Status != "VOIDED" else { throw .badRequest("Credit note \(note.CreditNoteNumber) is already voided.") }
        guard note.Refunds.isEmpty else { throw .badRequest("Credit note \(note.CreditNoteNumber) has refunds; delete them first.") }
        if note.Status == Cin7Sale.authorised {
            for line in note.Restock { moveStock(line.ProductID, at: line.Location, onHand: -line.Quantity) }
        }
        if void {
            sale.CreditNotes[0].Status = "VOIDED"
        } else {
            guard note.Status != "DRAFT" else { throw .badRequest("Credit note \(note.CreditNoteNumber) is DRAFT: there is nothing to undo.") }
            sale.CreditNotes[0].Status = "DRAFT"
        }
        save(&sale)
        return creditNotesJSON(sale)
    }
}
