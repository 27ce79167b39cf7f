import Foundation

/// Reading a write into a bank transaction: its type, contact and BANK
/// account, lines (as invoice lines, without discounts) and totals, and what
/// may change afterwards.
extension XeroBooks {
    /// The system accounts that invoices and bills keep balanced (xero-api.md §5.11; Xero's
    /// "Locked and system accounts": no transactions to Accounts Receivable/Payable).
    static let receivablesAccounts: Set<String> = ["DEBTORS", "CREDITORS"]

    func buildBankTransaction(_ input: XeroBankTransactionInput, existing: XeroBankTransaction?, id: UUID,
                              places: Int) -> Result<XeroBankTransaction, DocumentProblems> {
        var messages: [String] = []
        let type = (input.Type ?? existing?.Type ?? "").uppercased()
        if XeroBankTransaction.transferTypes.contains(type) {
            return .failure(DocumentProblems(["\(type) transactions are made by transferring money between bank accounts (/BankTransfers), not here."]))
        }
        guard XeroBankTransaction.creatableTypes.contains(type) else {
            return .failure(DocumentProblems([type.isEmpty ? "The bank transaction Type must be specified."
                                                            : "\(type) is not a valid bank transaction Type."]))
        }
        if let existing, existing.Type != type { messages.append("The Type of a bank transaction cannot be changed.") }
        let receive = type.hasPrefix("RECEIVE")

        var contact = existing?.Contact
        if let given = input.Contact {
            switch bankTransactionContact(given, existing: existing?.Contact) {
            case .success(let found): contact = found
            case .failure(let problem): messages += problem.messages
            }
        } else if existing == nil {
            messages.append("A Contact must be specified for this type of transaction.")
        }

        var bankAccount = existing?.BankAccount
        var currency = existing?.CurrencyCode ?? organisation.BaseCurrency
        if let given = input.BankAccount {
            let account = given.AccountID.flatMap { accounts[$0] } ?? given.Code.flatMap { code in accounts.first { $0.Code == code } }
            if let account {
                if account.Type != "BANK" {
                    messages.append("The BankAccount must be a bank account: account code '\(account.Code ?? "")' is of type \(account.Type).")
                } else if account.Status != "ACTIVE" {
                    messages.append("The bank account \(account.Name) is archived and cannot be used.")
                }
                bankAccount = .init(AccountID: account.AccountID.uuidString.lowercased(), Code: account.Code, Name: account.Name)
                currency = account.CurrencyCode ?? organisation.BaseCurrency
            } else {
                messages.append(given.AccountID == nil && given.Code == nil ? "The BankAccount must be given by AccountID or Code." : "The BankAccount could not be found.")
            }
        } else if existing == nil {
            messages.append("A BankAccount must be specified.")
        }
        if let code = input.CurrencyCode, code != currency {
            messages.append("The CurrencyCode of a bank transaction is its bank account's currency (\(currency)).")
        }
        var rate = existing?.CurrencyRate ?? XeroExchangeRate(1)
        if currency == organisation.BaseCurrency {
            rate = XeroExchangeRate(1)
        } else if let given = input.CurrencyRate {
            if given.value <= 0 { messages.append("CurrencyRate must be greater than zero.") } else { rate = given }
        }

        var lineAmountTypes = existing?.LineAmountTypes ?? "Exclusive"
        if let given = input.LineAmountTypes {
            if let match = Self.lineAmountTypeValues.first(where: { $0.lowercased() == given.lowercased() }) {
                lineAmountTypes = match
            } else {
                messages.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
            }
        }

        var lines = existing?.LineItems ?? []
        if let given = input.LineItems {
            lines = []
            for (index, line) in given.enumerated() {
                let prior = line.LineItemID.flatMap { lineID in existing?.LineItems.first { $0.LineItemID == lineID } }
                let (built, problems) = buildLine(line, prior: prior, receivable: receive, allowsDiscount: false,
                                                  lineAmountTypes: lineAmountTypes, places: places)
                messages += problems.map { given.count > 1 ? "Line \(index + 1): \($0)" : $0 }
                lines.append(built)
            }
        }
        if lines.isEmpty { messages.append("A bank transaction must have at least one line item.") }
        messages += lineAccountProblems(lines, type: type)

        let requested = input.Status?.uppercased() ?? "AUTHORISED"
        if requested != "AUTHORISED" {
            messages.append(requested == "VOIDED" || requested == "DELETED"
                ? "A new bank transaction must be AUTHORISED; delete one with Status DELETED."
                : "\(requested) is not a valid Status for a bank transaction: use AUTHORISED or DELETED.")
        }

        let totals = XeroDocumentTotals.apply(&lines, lineAmountTypes: lineAmountTypes) { taxType in
            taxType.flatMap { self.taxRate($0)?.EffectiveRate.value } ?? 0
        }
        if totals.total < 0 { messages.append("The total of a bank transaction cannot be negative.") }
        if totals.total == 0, type.hasSuffix("PAYMENT") { messages.append("A \(type) bank transaction must be for more than zero.") }

        guard messages.isEmpty, let contact, let bankAccount else { return .failure(DocumentProblems(messages)) }
        var transaction = XeroBankTransaction(
            BankTransactionID: id, Type: type, Contact: contact, BankAccount: bankAccount,
            IsReconciled: input.IsReconciled ?? existing?.IsReconciled ?? false,
            Date: input.Date?.day ?? existing?.Date ?? XeroDate(Date()).day,
            Reference: input.Reference ?? existing?.Reference, CurrencyCode: currency, CurrencyRate: rate,
            Url: input.Url ?? existing?.Url, Status: "AUTHORISED", LineAmountTypes: lineAmountTypes, LineItems: lines,
            SubTotal: XeroMoney(totals.subTotal), TotalTax: XeroMoney(totals.totalTax), Total: XeroMoney(totals.total),
            PrepaymentID: existing?.PrepaymentID, OverpaymentID: existing?.OverpaymentID)
        if let existing {
            transaction.UpdatedDateUTC = existing.UpdatedDateUTC
            if let problem = editProblem(from: existing, to: transaction) { return .failure(DocumentProblems([problem])) }
        }
        return .success(transaction)
    }

    /// What a change to a saved transaction may not do: anything but IsReconciled
    /// once it is reconciled, and anything but IsReconciled on a transaction that
    /// opened a prepayment or overpayment (its balance is what clients allocate).
    private func editProblem(from existing: XeroBankTransaction, to candidate: XeroBankTransaction) -> String? {
        var comparable = candidate
        comparable.IsReconciled = existing.IsReconciled
        guard comparable != existing else { return nil }
        if existing.Status == "DELETED" { return "This bank transaction has been deleted and cannot be changed." }
        if existing.IsReconciled { return Self.reconciledMessage }
        if existing.opensPrepayment || existing.opensOverpayment {
            return "A \(existing.Type) bank transaction cannot be edited: delete it (Status DELETED) and create it again."
        }
        return nil
    }

    /// Overpayments are coded to the contact's side of the ledger (the spec's
    /// SPEND-OVERPAYMENT example codes its line to "800", Accounts Payable);
    /// every other type may not touch Accounts Receivable or Payable.
    private func lineAccountProblems(_ lines: [XeroLineItem], type: String) -> [String] {
        var messages: [String] = []
        for (index, line) in lines.enumerated() {
            let prefix = lines.count > 1 ? "Line \(index + 1): " : ""
            guard let code = line.AccountCode else {
                messages.append(prefix + "an AccountCode (or an ItemCode with an account) is required.")
                continue
            }
            guard let account = activeAccount(code: code) else { continue }  // buildLine has said so
            if type.hasSuffix("-OVERPAYMENT") {
                let wanted = type.hasPrefix("RECEIVE") ? "DEBTORS" : "CREDITORS"
                if account.SystemAccount != wanted {
                    let name = wanted == "DEBTORS" ? "Accounts Receivable" : "Accounts Payable"
                    messages.append(prefix + "an overpayment is coded to the \(name) account, not '\(code)'.")
                }
            } else if let system = account.SystemAccount, Self.receivablesAccounts.contains(system) {
                messages.append(prefix + "account code '\(code)' is a system account and cannot be used on a bank transaction.")
            }
        }
        return messages
    }

    /// The contact by ContactID, else ContactNumber, else Name (an active one); it must exist.
    private func bankTransactionContact(_ given: XeroBankTransactionInput.ContactRef, existing: XeroContactRef?) -> Result<XeroContactRef, DocumentProblems> {
        let contact: XeroContact?
        if let contactID = given.ContactID {
            contact = contacts[contactID]
            if contact == nil { return .failure(DocumentProblems(["Contact with ContactID \(contactID.uuidString.lowercased()) could not be found."])) }
        } else if let number = given.ContactNumber, !number.isEmpty {
            contact = contacts.first { $0.ContactNumber == number }
            if contact == nil { return .failure(DocumentProblems(["Contact with ContactNumber \(number) could not be found."])) }
        } else if let name = given.Name, !name.isEmpty {
            contact = contacts.first { $0.Name.lowercased() == name.lowercased() && $0.ContactStatus == "ACTIVE" }
            if contact == nil { return .failure(DocumentProblems(["Contact named \(name) could not be found; create it first."])) }
        } else {
            return .failure(DocumentProblems(["A Contact must be specified with a ContactID."]))
        }
        guard let contact else { return .failure(DocumentProblems(["A Contact must be specified with a ContactID."])) }
        let ref = XeroContactRef(ContactID: contact.ContactID.uuidString.lowercased(), Name: contact.Name)
        if contact.ContactStatus == "ARCHIVED", existing?.ContactID != ref.ContactID {
            return .failure(DocumentProblems(["The contact \(contact.Name) is archived and cannot be used on new transactions."]))
        }
        return .success(ref)
    }
}
