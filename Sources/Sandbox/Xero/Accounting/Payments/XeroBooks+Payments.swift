import Foundation

/// `/Payments`: GET list (paged, where/order, If-Modified-Since), GET by id,
/// `PUT /Payments` (`{"Payments":[…]}`), `POST /Payments` (one bare Payment),
/// `POST /Payments/{PaymentID}` with `{"Status":"DELETED"}` — the only change
/// a payment takes. A payment settles an approved invoice (or refunds an
/// approved credit note) up to what is due.
extension XeroBooks {
    static let paymentBatch = XeroBatch(collection: XeroPayment.collection, idField: "PaymentID", errorFlag: "HasValidationErrors")

    func listPayments(_ request: SandboxRequest) -> SandboxResponse {
        list(payments, request, pageable: true)
    }

    func getPayment(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let json = payments.json(id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroPayment.collection, [json], providerName: providerName))
    }

    /// PUT takes `{"Payments":[…]}`, POST one bare Payment; each also reads the other's shape.
    func savePayments(_ request: SandboxRequest) -> SandboxResponse {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return XeroValidation.postDataInvalid("The request body must be a JSON Payment or a Payments array")
        }
        let elements = object["Payments"] as? [[String: Any]] ?? [object]
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            (element, createPayment(element))
        }
        return Self.paymentBatch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    /// `POST /Payments/{PaymentID}`: `{"Status":"DELETED"}` (or `{"Payments":[{"Status":"DELETED"}]}`).
    func updatePayment(_ request: SandboxRequest, key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), var payment = payments[id] else { return XeroProblem.notFound() }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object {\"Status\":\"DELETED\"}")
        }
        let element = (object["Payments"] as? [[String: Any]])?.first ?? object
        func refuse(_ message: String) -> SandboxResponse {
            var echo = element
            echo["PaymentID"] = id.uuidString.lowercased()
            echo["ValidationErrors"] = [["Message": message]]
            return XeroValidation.exception(elements: [echo])
        }
        let changes = element.keys.filter { !["Status", "PaymentID"].contains($0) }
        guard (element["Status"] as? String)?.uppercased() == "DELETED", changes.isEmpty else {
            return refuse("A payment cannot be edited: the only change allowed is Status DELETED. Delete it and create a new one.")
        }
        guard payment.Status != "DELETED" else { return refuse("This payment has already been deleted.") }
        if payment.IsReconciled { return refuse("A reconciled payment cannot be deleted.") }
        payment.Status = "DELETED"
        payments.put(payment)
        let paymentID = id.uuidString.lowercased()
        if let invoiceID = payment.Invoice?.InvoiceID.flatMap(UUID.init(uuidString:)), var invoice = invoices[invoiceID] {
            invoice.payments.removeAll { $0.PaymentID == paymentID }
            settle(&invoice)
            invoices.put(invoice)
        }
        if let noteID = payment.CreditNote?.CreditNoteID.flatMap(UUID.init(uuidString:)), var note = creditNotes[noteID] {
            note.payments.removeAll { $0.PaymentID == paymentID }
            settle(&note)
            creditNotes.put(note)
        }
        return .json(200, XeroEnvelope.list(XeroPayment.collection, [payments.json(id)!], providerName: providerName))
    }

    private func createPayment(_ element: [String: Any]) -> XeroBatch.Outcome {
        let input: XeroPaymentInput
        do {
            input = try XeroJSON.decode(XeroPaymentInput.self, element: element)
        } catch {
            return .failed(messages: ["The payment could not be read: \(XeroJSON.describe(error))"])
        }
        if let id = input.PaymentID, payments[id] != nil {
            return .failed(messages: ["A payment cannot be edited: delete it and create a new one."])
        }
        if element["Prepayment"] != nil || element["Overpayment"] != nil {
            return .failed(messages: ["Refunds of prepayments and overpayments are not simulated by this sandbox."])
        }
        var messages: [String] = []

        // The account: a bank account, or one that accepts payments.
        var account: XeroAccount?
        if let accountID = input.Account?.AccountID {
            account = accounts[accountID]
        } else if let code = input.Account?.Code ?? input.Code {
            account = accounts.first { $0.Code == code }
        }
        if let found = account {
            if found.Status != "ACTIVE" || (found.Type != "BANK" && !found.EnablePaymentsToAccount) {
                messages.append("Account type is invalid for making a payment to/from")
            }
        } else {
            messages.append(input.Account == nil && input.Code == nil ? "An Account must be specified for the payment." : "Account could not be found")
        }

        // The document: an invoice (by id or number) or a credit note.
        let invoiceNumber = input.Invoice?.InvoiceNumber ?? input.InvoiceNumber
        let noteNumber = input.CreditNote?.CreditNoteNumber ?? input.CreditNoteNumber
        let wantsInvoice = input.Invoice != nil || input.InvoiceNumber != nil
        let wantsNote = input.CreditNote != nil || input.CreditNoteNumber != nil
        var invoice: XeroInvoice?, note: XeroCreditNote?
        if wantsInvoice && wantsNote {
            messages.append("A payment is for one document: an Invoice or a CreditNote, not both.")
        } else if wantsInvoice {
            invoice = input.Invoice?.InvoiceID.flatMap { invoices[$0] } ?? invoiceNumber.flatMap { number in invoices.first(key: number) { $0.number == number } }
            if invoice == nil { messages.append("Invoice could not be found") }
        } else if wantsNote {
            note = input.CreditNote?.CreditNoteID.flatMap { creditNotes[$0] } ?? noteNumber.flatMap { number in creditNotes.first(key: number) { $0.number == number } }
            if note == nil { messages.append("Credit note could not be found") }
        } else {
            messages.append("A payment must be for an Invoice or a CreditNote.")
        }
        let status = invoice?.status ?? note?.status
        let due = invoice?.amountDue ?? note?.amountDue
        if let status, status != "AUTHORISED" {
            messages.append(status == "PAID" ? "Payment amount exceeds the amount outstanding on this document"
                                             : "Payments can only be made against approved (AUTHORISED) documents.")
        }
        guard let amount = input.Amount else {
            return .failed(messages: messages + ["The payment Amount must be specified."])
        }
        if amount.value <= 0 {
            messages.append("The payment Amount must be greater than zero.")
        } else if let due, status == "AUTHORISED", amount.value > due.value {
            messages.append("Payment amount exceeds the amount outstanding on this document")
        }
        if let requested = input.Status, requested.uppercased() != "AUTHORISED" { messages.append("A new payment must be AUTHORISED.") }
        guard messages.isEmpty, let account else { return .failed(messages: messages) }

        let currency = invoice?.currencyCode ?? note!.currencyCode
        let rate = currency == organisation.BaseCurrency ? XeroExchangeRate(1) : input.CurrencyRate ?? invoice?.currencyRate ?? note!.currencyRate
        let contact = invoice?.contact ?? note!.contact
        let type = invoice?.type ?? note!.type
        var payment = XeroPayment(
            PaymentID: UUID(), Date: (input.Date ?? XeroDate(Date())).day, BankAmount: amount, Amount: amount, Reference: input.Reference,
            CurrencyRate: rate, PaymentType: Self.paymentTypes[type]!, Status: "AUTHORISED", HasAccount: true,
            IsReconciled: input.IsReconciled ?? false,
            Account: .init(AccountID: account.AccountID.uuidString.lowercased(), Code: account.Code),
            HasValidationErrors: false)
        if var invoice {
            payment.Invoice = .init(Type: type, InvoiceID: invoice.documentID.uuidString.lowercased(), InvoiceNumber: invoice.number,
                                    Contact: contact, CurrencyCode: currency)
            invoice.payments.append(payment.summary)
            settle(&invoice)
            invoices.put(invoice)
        }
        if var note {
            payment.CreditNote = .init(Type: type, CreditNoteID: note.documentID.uuidString.lowercased(), CreditNoteNumber: note.number,
                                       Contact: contact, CurrencyCode: currency)
            note.payments.append(payment.summary)
            settle(&note)
            creditNotes.put(note)
        }
        payments.put(payment)
        return .saved(json: payments.json(payment.PaymentID)!)
    }

    static let paymentTypes = ["ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT", "ACCRECCREDIT": "ARCREDITPAYMENT", "ACCPAYCREDIT": "APCREDITPAYMENT"]
}
