import Foundation

/// `/Prepayments` and `/Overpayments`: GET list (paged, where/order,
/// If-Modified-Since; `InvoiceNumbers` / `References`) and GET by id. Neither
/// is written directly: a bank transaction of their type opens one, and
/// deleting that transaction voids it.
extension XeroBooks {
    // MARK: tables by kind

    func creditBalances<K: XeroCreditBalanceKind>(_: K.Type) -> EntityTable<XeroCreditBalance<K>> {
        (K.collection == PrepaymentKind.collection ? prepayments as Any : overpayments as Any) as! EntityTable<XeroCreditBalance<K>>
    }

    func putCreditBalance<K: XeroCreditBalanceKind>(_ balance: XeroCreditBalance<K>) {
        if let prepayment = balance as? XeroPrepayment { prepayments.put(prepayment) }
        if let overpayment = balance as? XeroOverpayment { overpayments.put(overpayment) }
    }

    // MARK: reading

    func listCreditBalances<K: XeroCreditBalanceKind>(_ kind: K.Type, _ request: SandboxRequest) -> SandboxResponse {
        func list(_ name: String) -> Set<String>? {
            request.query.value(name).map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
        }
        // A prepayment has no number of its own in this sandbox (see XeroCreditBalanceKind.keepsReference),
        // so `InvoiceNumbers` matches none; `References` matches an overpayment's Reference.
        let numbersMatchNone = K.collection == PrepaymentKind.collection && list("InvoiceNumbers") != nil
        let references = list("References")
        let places = XeroJSON.unitPlaces(request)
        let paged = request.query.value("page") != nil
        let render: ((XeroCreditBalance<K>) -> [UInt8])? = paged && places == 2 ? nil : { balance in
            var copy = balance
            if !paged { copy.lineItems = [] }
            return XeroJSON.encode(copy, unitPlaces: places)
        }
        return self.list(creditBalances(K.self), request, pageable: true, { balance in
            !numbersMatchNone && (references.map { balance.reference.map($0.contains) ?? false } ?? true)
        }, render: render)
    }

    func getCreditBalance<K: XeroCreditBalanceKind>(_ kind: K.Type, _ key: String, _ request: SandboxRequest) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let balance = creditBalances(K.self)[id] else { return XeroProblem.notFound() }
        let places = XeroJSON.unitPlaces(request)
        let json = places == 2 ? creditBalances(K.self).json(id)! : XeroJSON.encode(balance, unitPlaces: places)
        return .json(200, XeroEnvelope.list(K.collection, [json], providerName: providerName))
    }

    // MARK: made and voided by bank transactions

    /// A new RECEIVE-/SPEND-PREPAYMENT or -OVERPAYMENT transaction opens its
    /// balance, for the whole total, and carries its id.
    func openCreditBalance(for transaction: inout XeroBankTransaction) {
        if transaction.opensPrepayment {
            let balance = XeroPrepayment(id: UUID(), from: transaction)
            transaction.PrepaymentID = balance.balanceID.uuidString.lowercased()
            prepayments.put(balance)
        } else if transaction.opensOverpayment {
            let balance = XeroOverpayment(id: UUID(), from: transaction)
            transaction.OverpaymentID = balance.balanceID.uuidString.lowercased()
            overpayments.put(balance)
        }
    }

    /// Before a transaction is deleted: its balance becomes VOIDED, unless
    /// allocations still use it (the reason is returned instead).
    func voidCreditBalance(of transaction: XeroBankTransaction) -> String? {
        if let id = transaction.PrepaymentID.flatMap(UUID.init(uuidString:)), let balance = prepayments[id] {
            return void(balance)
        }
        if let id = transaction.OverpaymentID.flatMap(UUID.init(uuidString:)), let balance = overpayments[id] {
            return void(balance)
        }
        return nil
    }

    private func void<K: XeroCreditBalanceKind>(_ balance: XeroCreditBalance<K>) -> String? {
        guard balance.allocations.isEmpty else {
            return "This \(K.noun) has been allocated to invoices: delete its allocations before deleting the bank transaction."
        }
        var voided = balance
        voided.status = "VOIDED"
        putCreditBalance(voided)
        return nil
    }
}
