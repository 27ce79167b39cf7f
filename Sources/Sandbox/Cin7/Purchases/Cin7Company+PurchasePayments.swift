import Foundation

/// `/advanced-purchase/payment` (apib:18163-18317): prepayments (the purchase's
/// `ID` as `TaskID`; an authorised order and no authorised invoice yet),
/// payments (an authorised invoice's `TaskID`, at most what is owed) and refunds
/// (an authorised credit note's, at most what it credits). An invoice becomes
/// `PAID` when its payments reach its total. DELETE is `/purchase/payment?ID=`
/// in the blueprint; `/advanced-purchase/payment?ID=` is accepted too.
struct Cin7PurchasePayment: Cin7Record, Sendable {
    var PurchaseID: String
    var TaskID: String
    var ID: String
    var OrderNumber: String
    var InvoiceNumber: String?
    var CreditNoteNumber: String?
    var `Type`: String
    var Reference: String
    var Amount: Decimal
    var DatePaid: Cin7Day
    var Account: String
    var CurrencyRate: Decimal
    var DateCreated: Cin7Timestamp
    var DepositID: String?
}

extension Cin7Company {
    /// Every payment of a purchase, as `GET /advanced-purchase/payment` lists them.
    func payments(of purchase: Cin7Purchase) -> [Cin7PurchasePayment] {
        func record(_ line: Cin7PaymentLine, _ type: Cin7PaymentType, task: String, invoice: String?, credit: String?) -> Cin7PurchasePayment {
            Cin7PurchasePayment(PurchaseID: purchase.ID, TaskID: task, ID: line.ID, OrderNumber: purchase.OrderNumber, InvoiceNumber: invoice,
                                CreditNoteNumber: credit, Type: type.display, Reference: line.Reference, Amount: line.Amount, DatePaid: line.DatePaid,
                                Account: line.Account, CurrencyRate: line.CurrencyRate, DateCreated: line.DateCreated, DepositID: nil)
        }
        return purchase.Order.Prepayments.map { record($0, .prepayment, task: purchase.ID, invoice: nil, credit: nil) }
            + purchase.Invoice.flatMap { invoice in invoice.Payments.map { record($0, .payment, task: invoice.TaskID, invoice: invoice.InvoiceNumber, credit: nil) } }
            + purchase.CreditNote.flatMap { note in
                note.Refunds.map { record($0, .refund, task: note.TaskID, invoice: note.CreditNoteInvoiceNumber, credit: note.CreditNoteNumber) }
            }
    }

    /// `GET ?PurchaseID=&OrderNumber=&InvoiceNumber=&CreditNoteNumber=`: a bare array.
    func getPurchasePayments(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "PurchaseID")
        let order = Cin7Query.text(request, "OrderNumber")
        let invoice = Cin7Query.text(request, "InvoiceNumber")
        let credit = Cin7Query.text(request, "CreditNoteNumber")
        guard id != nil || order != nil || invoice != nil || credit != nil else {
            throw .badRequest("Required attribute PurchaseID, OrderNumber, InvoiceNumber or CreditNoteNumber is not provided.")
        }
        let found = purchases.all.filter { purchase in
            (id.map { purchase.ID == $0 } ?? true) && (order.map { purchase.OrderNumber.cin7Equals($0) } ?? true)
        }.flatMap { payments(of: $0) }.filter { payment in
            (invoice.map { payment.InvoiceNumber?.cin7Equals($0) == true } ?? true) && (credit.map { payment.CreditNoteNumber?.cin7Equals($0) == true } ?? true)
        }
        return Cin7JSON.encode(found)
    }

    func postPurchasePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PaymentInput.self, from: request.body).get()
        var check = Cin7Validation()
        let type = paymentType(input.Type, check: &check)
        let taskID = check.required(input.TaskID ?? input.PurchaseID, "TaskID").lowercased()
        try check.finish()
        guard var purchase = purchases.all.first(where: { purchase in
            purchase.ID == taskID || purchase.Invoice.contains { $0.TaskID == taskID } || purchase.CreditNote.contains { $0.TaskID == taskID }
        }) else { throw .badRequest("Purchase task with specified TaskID not found.") }
        try editable(purchase)
        var line = paymentLine(input, check: &check)
        try check.finish()
        line.DateCreated = stamp()
        switch type! {
        case .prepayment:
            guard purchase.orderAuthorised, !purchase.Invoice.contains(where: \.authorised) else {
                throw .badRequest("Prepayments are available only for purchases with an AUTHORISED order and no AUTHORISED invoice.")
            }
            purchase.Order.Prepayments.append(line)
        case .payment:
            guard let index = purchase.Invoice.firstIndex(where: { $0.TaskID == taskID }), purchase.Invoice[index].Status == Cin7Purchase.authorised else {
                throw .badRequest("Payments are available only for an AUTHORISED invoice; TaskID must name one.")
            }
            let owed = purchase.Invoice[index].Total - purchase.Invoice[index].Paid
            guard line.Amount <= owed else {
                throw .badRequest("Payment amount \(line.Amount) exceeds the amount owing on \(purchase.Invoice[index].InvoiceNumber) (\(owed)).")
            }
            purchase.Invoice[index].Payments.append(line)
        case .refund:
            guard let index = purchase.CreditNote.firstIndex(where: { $0.TaskID == taskID }), purchase.CreditNote[index].Status == Cin7Purchase.authorised else {
                throw .badRequest("Refunds are available only for an AUTHORISED credit note; TaskID must name one.")
            }
            let note = purchase.CreditNote[index]
            let open = note.Total - note.Refunds.reduce(Decimal(0)) { $0 + $1.Amount }
            guard line.Amount <= open else { throw .badRequest("Refund amount \(line.Amount) exceeds what \(note.CreditNoteNumber) leaves to refund (\(open)).") }
            purchase.CreditNote[index].Refunds.append(line)
        }
        save(&purchase)
        return Cin7JSON.encode(payments(of: purchase).first { $0.ID == line.ID }!)
    }

    /// `PUT`: `Reference`, `Amount`, `DatePaid`, `Account`, `CurrencyRate` of a payment or refund; prepayments cannot be changed (apib:18264).
    func updatePurchasePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7PaymentInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID").lowercased()
        try check.finish()
        guard var purchase = purchases.all.first(where: { payments(of: $0).contains { $0.ID == id } }) else {
            throw .badRequest("Payment with specified ID not found.")
        }
        try editable(purchase)
        guard !purchase.Order.Prepayments.contains(where: { $0.ID == id }) else { throw .badRequest("Prepayments cannot be edited.") }
        for i in purchase.Invoice.indices {
            guard let p = purchase.Invoice[i].Payments.firstIndex(where: { $0.ID == id }) else { continue }
            let old = purchase.Invoice[i].Payments[p]
            let line = paymentLine(input, existing: old, check: &check)
            try check.finish()
            let owed = purchase.Invoice[i].Total - purchase.Invoice[i].Paid + old.Amount
            guard line.Amount <= owed else { throw .badRequest("Payment amount \(line.Amount) exceeds the amount owing (\(owed)).") }
            purchase.Invoice[i].Payments[p] = line
        }
        for i in purchase.CreditNote.indices {
            guard let r = purchase.CreditNote[i].Refunds.firstIndex(where: { $0.ID == id }) else { continue }
            let old = purchase.CreditNote[i].Refunds[r]
            let line = paymentLine(input, existing: old, check: &check)
            try check.finish()
            let open = purchase.CreditNote[i].Total - purchase.CreditNote[i].Refunds.reduce(Decimal(0)) { $0 + $1.Amount } + old.Amount
            guard line.Amount <= open else { throw .badRequest("Refund amount \(line.Amount) exceeds what the credit note leaves to refund (\(open)).") }
            purchase.CreditNote[i].Refunds[r] = line
        }
        save(&purchase)
        return Cin7JSON.encode(payments(of: purchase).first { $0.ID == id }!)
    }

    /// `DELETE /purchase/payment?ID=`: `{"Success":true}`.
    func deletePurchasePayment(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        guard let id = try Cin7Query.guid(request, "ID") else { throw .badRequest("Required attribute ID is not provided.") }
        guard var purchase = purchases.all.first(where: { payments(of: $0).contains { $0.ID == id } }) else {
            throw .badRequest("Payment with specified ID not found.")
        }
        try editable(purchase)
        purchase.Order.Prepayments.removeAll { $0.ID == id }
        for i in purchase.Invoice.indices { purchase.Invoice[i].Payments.removeAll { $0.ID == id } }
        for i in purchase.CreditNote.indices { purchase.CreditNote[i].Refunds.removeAll { $0.ID == id } }
        save(&purchase)
        return Array(#"{"Success":true}"#.utf8)
    }
}
