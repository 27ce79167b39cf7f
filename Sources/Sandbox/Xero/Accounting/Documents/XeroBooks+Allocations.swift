import Foundation

/// `PUT /CreditNotes/{CreditNoteID}/Allocations` and
/// `DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}`: part of an
/// approved credit note applied to an approved invoice of the same contact,
/// currency and side (sales or purchases), up to the credit left and the
/// amount due; deleting it gives both back.
extension XeroBooks {
    static let allocationBatch = XeroBatch(collection: "Allocations", idField: nil, errorFlag: nil)

    func allocateCreditNote(_ request: SandboxRequest, key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), creditNotes[id] != nil else { return XeroProblem.notFound() }
        guard let elements = Self.allocationBatch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with an Allocations array")
        }
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            (element, allocate(noteID: id, element))
        }
        return Self.allocationBatch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func allocate(noteID: UUID, _ element: [String: Any]) -> XeroBatch.Outcome {
        let input: XeroAllocationInput
        do {
            input = try XeroJSON.decode(XeroAllocationInput.self, element: element)
        } catch {
            return .failed(messages: ["The allocation could not be read: \(XeroJSON.describe(error))"])
        }
        guard var note = creditNotes[noteID] else { return .failed(messages: ["Credit note could not be found"]) }
        let invoice = input.Invoice?.InvoiceID.flatMap { invoices[$0] }
            ?? input.Invoice?.InvoiceNumber.flatMap { number in invoices.first(key: number) { $0.number == number } }
        guard var invoice else {
            return .failed(messages: [input.Invoice == nil ? "An allocation must name an Invoice." : "Invoice could not be found"])
        }
        guard let amount = input.Amount else { return .failed(messages: ["The allocation Amount must be specified."]) }
        var messages: [String] = []
        if note.status != "AUTHORISED" { messages.append("Only an approved (AUTHORISED) credit note with credit remaining can be allocated.") }
        if invoice.status != "AUTHORISED" { messages.append("Credit can only be allocated to an approved (AUTHORISED) invoice with an amount due.") }
        if (note.type == CreditNoteKind.receivable) != (invoice.type == InvoiceKind.receivable) {
            messages.append("A \(note.type) credit note can only be allocated to an \(note.type == CreditNoteKind.receivable ? "ACCREC" : "ACCPAY") invoice.")
        }
        if note.contact.ContactID != invoice.contact.ContactID { messages.append("The credit note and the invoice must be for the same contact.") }
        if note.currencyCode != invoice.currencyCode { messages.append("The credit note and the invoice must be in the same currency.") }
        if amount.value <= 0 {
            messages.append("The allocation Amount must be greater than zero.")
        } else {
            if amount.value > note.amountDue.value { messages.append("The amount allocated exceeds the remaining credit on the credit note.") }
            if amount.value > invoice.amountDue.value { messages.append("The amount allocated exceeds the amount due on the invoice.") }
        }
        guard messages.isEmpty else { return .failed(messages: messages) }

        let allocationID = UUID().uuidString.lowercased()
        let date = (input.Date ?? XeroDate(Date())).day
        let view = XeroAllocationView(
            AllocationID: allocationID, Amount: amount, Date: date,
            Invoice: .init(InvoiceID: invoice.documentID.uuidString.lowercased(), InvoiceNumber: invoice.number),
            CreditNote: .init(CreditNoteID: note.documentID.uuidString.lowercased(), CreditNoteNumber: note.number))
        var onNote = view
        onNote.CreditNote = nil
        note.allocations.append(onNote)
        invoice.credits.append(XeroAppliedCredit(CreditNoteID: note.documentID.uuidString.lowercased(), CreditNoteNumber: note.number,
                                                 ID: note.documentID.uuidString.lowercased(), AppliedAmount: amount, Date: date,
                                                 Total: note.total, allocationID: allocationID))
        settle(&note)
        settle(&invoice)
        creditNotes.put(note)
        invoices.put(invoice)
        return .saved(json: XeroJSON.encode(view))
    }

    /// Answers the allocation itself (not an envelope), `IsDeleted: true`.
    func deleteAllocation(noteKey: String, allocationKey: String) -> SandboxResponse {
        guard let noteID = UUID(uuidString: noteKey), var note = creditNotes[noteID],
              let index = note.allocations.firstIndex(where: { $0.AllocationID == allocationKey.lowercased() }) else {
            return XeroProblem.notFound()
        }
        var view = note.allocations.remove(at: index)
        if let invoiceID = UUID(uuidString: view.Invoice.InvoiceID), var invoice = invoices[invoiceID] {
            invoice.credits.removeAll { $0.allocationID == view.AllocationID }
            settle(&invoice)
            invoices.put(invoice)
        }
        settle(&note)
        creditNotes.put(note)
        view.IsDeleted = true
        view.CreditNote = .init(CreditNoteID: note.documentID.uuidString.lowercased(), CreditNoteNumber: note.number)
        return .json(200, XeroJSON.encode(view))
    }
}
