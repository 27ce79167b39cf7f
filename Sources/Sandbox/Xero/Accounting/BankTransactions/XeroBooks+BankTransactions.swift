import Foundation

/// `/BankTransactions`: GET list (paged, where/order, If-Modified-Since, References), GET
/// by id, PUT (create), POST (create, or update when the element names an
/// existing BankTransactionID), `POST /BankTransactions/{id}`. No DELETE verb:
/// a transaction is deleted through `Status: DELETED`. A transaction of a
/// prepayment or overpayment type opens that balance as it is created.
extension XeroBooks {
    static let bankTransactionBatch = XeroBatch(collection: XeroBankTransaction.collection, idField: "BankTransactionID", errorFlag: nil)

    func listBankTransactions(_ request: SandboxRequest) -> SandboxResponse {
        let places = XeroJSON.unitPlaces(request)
        // A paged list carries line items; an unpaged one leaves them out (as invoices do).
        let paged = request.query.value("page") != nil
        let render: ((XeroBankTransaction) -> [UInt8])? = paged && places == 2 ? nil : { transaction in
            var copy = transaction
            if !paged { copy.LineItems = [] }
            return XeroJSON.encode(copy, unitPlaces: places)
        }
        // `References` (spec 19.0.0, which the Python SDK sends): transactions with one of these references.
        let references = request.query.value("References").map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        return list(bankTransactions, request, pageable: true, { transaction in
            references.map { transaction.Reference.map($0.contains) ?? false } ?? true
        }, render: render)
    }

    func getBankTransaction(_ key: String, _ request: SandboxRequest) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let transaction = bankTransactions[id] else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroBankTransaction.collection, [bankTransactionJSON(transaction, places: XeroJSON.unitPlaces(request))],
                                            providerName: providerName))
    }

    func saveBankTransactions(_ request: SandboxRequest, createOnly: Bool, pathKey: String? = nil) -> SandboxResponse {
        var pathID: UUID?
        if let pathKey {
            guard let id = UUID(uuidString: pathKey), bankTransactions[id] != nil else { return XeroProblem.notFound() }
            pathID = id
        }
        let batch = Self.bankTransactionBatch
        guard var elements = batch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with a BankTransactions array")
        }
        if pathID != nil { elements = Array(elements.prefix(1)) }
        let places = XeroJSON.unitPlaces(request)
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            let outcome = saveBankTransaction(element, createOnly: createOnly, pathID: pathID, places: places)
            // A Type outside the spec's enum is not echoed: the SDK's enum would refuse the answer.
            var echo = element
            if case .failed = outcome, let type = echo["Type"] as? String,
               !XeroBankTransaction.creatableTypes.union(XeroBankTransaction.transferTypes).contains(type) { echo["Type"] = nil }
            return (echo, outcome)
        }
        return batch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func saveBankTransaction(_ element: [String: Any], createOnly: Bool, pathID: UUID?, places: Int) -> XeroBatch.Outcome {
        let input: XeroBankTransactionInput
        do {
            input = try XeroJSON.decode(XeroBankTransactionInput.self, element: element, unitPlaces: places)
        } catch {
            return .failed(messages: ["The bank transaction could not be read: \(XeroJSON.describe(error))"])
        }
        let givenID = pathID ?? input.BankTransactionID
        let existing = givenID.flatMap { bankTransactions[$0] }
        if createOnly, existing != nil {
            return .failed(messages: ["A bank transaction with this BankTransactionID already exists; use POST to update it."])
        }
        if !createOnly, existing == nil, let givenID {
            return .failed(messages: ["Bank transaction not found: \(givenID.uuidString.lowercased())"])
        }
        if let existing, input.Status?.uppercased() == "DELETED" {
            return deleteBankTransaction(existing, places: places)
        }
        var transaction: XeroBankTransaction
        switch buildBankTransaction(input, existing: existing, id: existing?.BankTransactionID ?? UUID(), places: places) {
        case .failure(let problems): return .failed(messages: problems.messages)
        case .success(let built): transaction = built
        }
        if existing == nil {
            openCreditBalance(for: &transaction)
            bankTransactions.put(transaction)
        } else if transaction != existing {
            bankTransactions.put(transaction)
        }
        return .saved(json: bankTransactionJSON(bankTransactions[transaction.BankTransactionID]!, places: places))
    }

    /// `Status: DELETED`. A reconciled transaction stays; one whose prepayment or
    /// overpayment has allocations stays until they are removed; else the balance is voided with it.
    private func deleteBankTransaction(_ existing: XeroBankTransaction, places: Int) -> XeroBatch.Outcome {
        guard existing.Status != "DELETED" else { return .saved(json: bankTransactionJSON(existing, places: places)) }
        if existing.IsReconciled { return .failed(messages: [Self.reconciledMessage]) }
        if let problem = voidCreditBalance(of: existing) { return .failed(messages: [problem]) }
        var deleted = existing
        deleted.Status = "DELETED"
        bankTransactions.put(deleted)
        return .saved(json: bankTransactionJSON(deleted, places: places))
    }

    static let reconciledMessage = "This Bank Transaction cannot be edited as it has been reconciled with a Bank Statement."

    private func bankTransactionJSON(_ transaction: XeroBankTransaction, places: Int) -> [UInt8] {
        places == 2 ? bankTransactions.json(transaction.BankTransactionID)! : XeroJSON.encode(transaction, unitPlaces: places)
    }
}
