import Foundation

/// `/sale/payment` (apib:24554-24730): prepayments (authorised quote, order and
/// invoice not yet authorised), payments (authorised invoice, at most what is
/// owed) and refunds (authorised credit note, at most what it credits). The
/// invoice becomes `PAID` when its payments and prepayments reach its total.
struct Cin7SalePayment: Cin7Record, Sendable {
    var SaleID: String
    var TaskID: String
    var ID: String
    var SaleOrderNumber: String
    var InvoiceNumber: String
    var CreditNoteNumber: String?
    var `Type`: String
    var Reference: String
    var Amount: Decimal
    var DatePaid: Cin7Day
    var Account: String
    var CurrencyRate: Decimal
    var DateCreated: Cin7Timestamp
    var CreditID: String?
}

extension Cin7Company {
    /// Every payment of a sale, as `GET /sale/payment` lists them.
    func payments(of sale: Cin7Sale) -> [Cin7SalePayment] {
        func record(_ line: Cin7PaymentLine, _ type: Cin7PaymentType, task: String, invoice: String, credit: String?) -> Cin7SalePayment {
            Cin7SalePayment(SaleID: sale.ID, TaskID: task, ID: line.ID, SaleOrderNumber: sale.Order.SaleOrderNumber, InvoiceNumber: invoice,
                            CreditNoteNumber: credit, Type: type.display, Reference: line.Reference, Amount: line.Amount, DatePaid: line.DatePaid,
                            Account: line.Account, CurrencyRate: line.CurrencyRate, DateCreated: line.DateCreated, CreditID: nil)
        }
        return sale.Quote.Prepayments.map { record($0, .prepayment, task: sale.ID, invoice: sale.invoice?.InvoiceNumber ?? "", credit: nil) }
            + sale.Invoices.flatMap { invoice in invoice.Payments.map { record($0, .payment, task: invoice.TaskID, invoice: invoice.InvoiceNumber, credit: nil) } }
            + sale.CreditNotes.flatMap { note in
                note.Refunds.map { record($0, .refund, task: note.TaskID, invoice: note.CreditNoteInvoiceNumber, credit: note.CreditNoteNumber) }
            }
    }

    func getSalePayments(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        Cin7JSON.encode(payments(of: try sale(Cin7Query.guid(request, "SaleID"))))
    }

    func postSalePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PaymentInput.self, from: request.body).get()
        var check = Cin7Validation()
        let type = paymentType(input.Type, check: &check)
        let taskID = check.required(input.TaskID ?? input.SaleID, "TaskID").lowercased()
        try check.finish()
        // A prepayment's task is the sale itself; a payment's the invoice; a refund's the credit note.
        guard var sale = sales.all.first(where: { sale in
            sale.ID == taskID || sale.invoice?.TaskID == taskID || sale.creditNote?.TaskID == taskID
        }) else { throw .badRequest("Sale task with specified TaskID not found.") }
        try editable(sale)
        var line = paymentLine(input, check: &check)
        try check.finish()
        line.DateCreated = stamp()
        switch type! {
        case .prepayment:
            guard sale.quoteReady, !sale.orderAuthorised, !sale.invoiceAuthorised else {
                throw .badRequest("Prepayments are available only for sales with an AUTHORISED quote and an order and invoice not yet AUTHORISED.")
            }
            sale.Quote.Prepayments.append(line)
        case .payment:
            guard let invoice = sale.invoice, invoice.Status == Cin7Sale.authorised else {
                throw .badRequest("Payments are available only for an AUTHORISED invoice (invoice status is \(sale.invoice?.Status ?? "NOT AVAILABLE")).")
            }
            let owed = invoice.Total - invoice.Paid
            guard line.Amount <= owed else { throw .badRequest("Payment amount \(line.Amount) exceeds the amount owing on \(invoice.InvoiceNumber) (\(owed)).") }
            sale.Invoices[0].Payments.append(line)
        case .refund:
            guard let note = sale.creditNote, note.Status == Cin7Sale.authorised else {
                throw .badRequest("Refunds are available only for an AUTHORISED credit note (credit note status is \(sale.creditNote?.Status ?? "NOT AVAILABLE")).")
            }
            let open = note.Total - note.Refunds.reduce(Decimal(0)) { $0 + $1.Amount }
            guard line.Amount <= open else { throw .badRequest("Refund amount \(line.Amount) exceeds what \(note.CreditNoteNumber) leaves to refund (\(open)).") }
            sale.CreditNotes[0].Refunds.append(line)
        }
        save(&sale)
        return Cin7JSON.encode(payments(of: sale).first { $0.ID == line.ID }!)
    }

    /// `PUT /sale/payment`: `Reference`, `Amount`, `DatePaid`, `Account`, `CurrencyRate` of a payment or refund.
    func updateSalePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PaymentInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID").lowercased()
        try check.finish()
        guard var sale = sales.all.first(where: { payments(of: $0).contains { $0.ID == id } }) else { throw .badRequest("Payment with specified ID not found.") }
        try editable(sale)
        guard !sale.Quote.Prepayments.contains(where: { $0.ID == id }) else { throw .badRequest("Prepayments cannot be edited.") }
        if let i = sale.Invoices[0].Payments.firstIndex(where: { $0.ID == id }) {
            let old = sale.Invoices[0].Payments[i]
            let line = paymentLine(input, existing: old, check: &check)
            try check.finish()
            let owed = sale.invoice!.Total - sale.invoice!.Paid + old.Amount
            guard line.Amount <= owed else { throw .badRequest("Payment amount \(line.Amount) exceeds the amount owing (\(owed)).") }
            sale.Invoices[0].Payments[i] = line
            if sale.Invoices[0].Status == "PAID" { sale.Invoices[0].Status = Cin7Sale.authorised }
        } else if let i = sale.CreditNotes.first?.Refunds.firstIndex(where: { $0.ID == id }) {
            let old = sale.CreditNotes[0].Refunds[i]
            let line = paymentLine(input, existing: old, check: &check)
            try check.finish()
            let open = sale.CreditNotes[0].Total - sale.CreditNotes[0].Refunds.reduce(Decimal(0)) { $0 + $1.Amount } + old.Amount
            guard line.Amount <= open else { throw .badRequest("Refund amount \(line.Amount) exceeds what the credit note leaves to refund (\(open)).") }
            sale.CreditNotes[0].Refunds[i] = line
        }
        save(&sale)
        return Cin7JSON.encode(payments(of: sale).first { $0.ID == id }!)
    }

    /// `DELETE /sale/payment?ID=`: `{"Success":true}`.
    func deleteSalePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        guard let id = try Cin7Query.guid(request, "ID") else { throw .badRequest("Required attribute ID is not provided.") }
        guard var sale = sales.all.first(where: { payments(of: $0).contains { $0.ID == id } }) else { throw .badRequest("Payment with specified ID not found.") }
        try editable(sale)
        sale.Quote.Prepayments.removeAll { $0.ID == id }
        for i in sale.Invoices.indices {
            sale.Invoices[i].Payments.removeAll { $0.ID == id }
            if sale.Invoices[i].Status == "PAID" { sale.Invoices[i].Status = Cin7Sale.authorised }
        }
        for i in sale.CreditNotes.indices { sale.CreditNotes[i].Refunds.removeAll { $0.ID == id } }
        save(&sale)
        return Array(#"{"Success":true}"#.utf8)
    }
}
