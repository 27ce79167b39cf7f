import Foundation

/// `PUT /Prepayments/{id}/Allocations`, `PUT /Overpayments/{id}/Allocations`
/// and their `DELETE …/Allocations/{AllocationID}`: part of a customer's
/// (RECEIVE-…) balance applied to one of their approved sales invoices, or a
/// supplier's (SPEND-…) to one of their approved bills, in the same currency,
/// up to the credit left and the amount due; deleting it gives both back.
extension XeroBooks {
    func allocateCreditBalance<K: XeroCreditBalanceKind>(_ kind: K.Type, _ request: SandboxRequest, key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), creditBalances(K.self)[id] != nil else { return XeroProblem.notFound() }
        guard let elements = Self.allocationBatch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with an Allocations array")
        }
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            (element, allocate(K.self, balanceID: id, element))
        }
        return Self.allocationBatch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func allocate<K: XeroCreditBalanceKind>(_ kind: K.Type, balanceID: UUID, _ element: [String: Any]) -> XeroBatch.Outcome {
        let input: XeroAllocationInput
        do {
            input = try XeroJSON.decode(XeroAllocationInput.self, element: element)
        } catch {
            return .failed(messages: ["The allocation could not be read: \(XeroJSON.describe(error))"])
        }
        guard var balance = creditBalances(K.self)[balanceID] else { return .failed(messages: ["The \(K.noun) could not be found"]) }
        let invoice = input.Invoice?.InvoiceID.flatMap { invoices[$0] }
            ?? input.Invoice?.InvoiceNumber.flatMap { number in invoices.first { $0.number == number } }
        guard var invoice else {
            return .failed(messages: [input.Invoice == nil ? "An allocation must name an Invoice." : "Invoice could not be found"])
        }
        guard let amount = input.Amount else { return .failed(messages: ["The allocation Amount must be specified."]) }
        let messages = Self.allocationProblems(K.self, balance: balance, invoice: invoice, amount: amount.value)
        guard messages.isEmpty else { return .failed(messages: messages) }

        let allocationID = UUID().uuidString.lowercased()
        let date = (input.Date ?? XeroDate(Date())).day
        let invoiceRef = XeroAllocationView.InvoiceRef(InvoiceID: invoice.documentID.uuidString.lowercased(), InvoiceNumber: invoice.number)
        let allocation = XeroBalanceAllocation(allocationID: allocationID, amount: amount, date: date, invoice: invoiceRef)
        balance.allocations.append(allocation)
        balance.settle()
        let applied = XeroAppliedBalance(idField: K.idField, balanceID: balanceID.uuidString.lowercased(), appliedAmount: amount,
                                         date: date, total: balance.total, allocationID: allocationID)
        if K.collection == PrepaymentKind.collection { invoice.prepayments.append(applied) } else { invoice.overpayments.append(applied) }
        settle(&invoice)
        putCreditBalance(balance)
        invoices.put(invoice)
        var answer = allocation
        answer.source = Self.allocationSource(K.self, balanceID)
        return .saved(json: XeroJSON.encode(answer))
    }

    /// Why an allocation of `amount` from the balance to the invoice is refused (empty when it is not).
    static func allocationProblems<K: XeroCreditBalanceKind>(_ kind: K.Type, balance: XeroCreditBalance<K>, invoice: XeroInvoice,
                                                             amount: Decimal) -> [String] {
        var messages: [String] = []
        if balance.status != "AUTHORISED" {
            messages.append(balance.status == "PAID" ? "The amount allocated exceeds the remaining credit on the \(K.noun)."
                                                     : "Only an AUTHORISED \(K.noun) with credit remaining can be allocated.")
        }
        if invoice.status != "AUTHORISED" { messages.append("A \(K.noun) can only be allocated to an approved (AUTHORISED) invoice with an amount due.") }
        let wanted = balance.isReceive ? InvoiceKind.receivable : InvoiceKind.payable
        if invoice.type != wanted { messages.append("A \(balance.type) \(K.noun) can only be allocated to an \(wanted) invoice.") }
        if balance.contact.ContactID != invoice.contact.ContactID { messages.append("The \(K.noun) and the invoice must be for the same contact.") }
        if balance.currencyCode != invoice.currencyCode { messages.append("The \(K.noun) and the invoice must be in the same currency.") }
        if amount <= 0 {
            messages.append("The allocation Amount must be greater than zero.")
        } else {
            if balance.status == "AUTHORISED", amount > balance.remainingCredit.value {
                messages.append("The amount allocated exceeds the remaining credit on the \(K.noun).")
            }
            if invoice.status == "AUTHORISED", amount > invoice.amountDue.value { messages.append("The amount allocated exceeds the amount due on the invoice.") }
        }
        return messages
    }

    /// Answers the allocation itself (not an envelope), `IsDeleted: true`.
    func deleteBalanceAllocation<K: XeroCreditBalanceKind>(_ kind: K.Type, balanceKey: String, allocationKey: String) -> SandboxResponse {
        guard let balanceID = UUID(uuidString: balanceKey), var balance = creditBalances(K.self)[balanceID],
              let index = balance.allocations.firstIndex(where: { $0.allocationID == allocationKey.lowercased() }) else {
            return XeroProblem.notFound()
        }
        var allocation = balance.allocations.remove(at: index)
        if let invoiceID = UUID(uuidString: allocation.invoice.InvoiceID), var invoice = invoices[invoiceID] {
            invoice.prepayments.removeAll { $0.allocationID == allocation.allocationID }
            invoice.overpayments.removeAll { $0.allocationID == allocation.allocationID }
            settle(&invoice)
            invoices.put(invoice)
        }
        balance.settle()
        putCreditBalance(balance)
        allocation.source = Self.allocationSource(K.self, balanceID)
        allocation.isDeleted = true
        return .json(200, XeroJSON.encode(allocation))
    }

    private static func allocationSource<K: XeroCreditBalanceKind>(_ kind: K.Type, _ id: UUID) -> XeroBalanceAllocation.Source {
        .init(key: String(K.idField.dropLast(2)), idField: K.idField, id: id.uuidString.lowercased())
    }
}
