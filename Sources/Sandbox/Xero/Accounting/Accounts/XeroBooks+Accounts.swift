import Foundation

/// `/Accounts`: the chart of accounts. GET (where/order/If-Modified-Since, not
/// paged, archived accounts included), `PUT /Accounts` with one bare Account,
/// `POST /Accounts/{AccountID}` with `{"Accounts":[…]}`, and DELETE, which
/// answers 200 with the account `DELETED` and then forgets it.
extension XeroBooks {
    static let accountBatch = XeroBatch(collection: XeroAccount.collection, idField: "AccountID", errorFlag: nil)

    func listAccounts(_ request: SandboxRequest) -> SandboxResponse {
        list(accounts, request, pageable: false)
    }

    func getAccount(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let json = accounts.json(id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroAccount.collection, [json], providerName: providerName))
    }

    /// `PUT /Accounts`: the body is one Account, not a collection ([OAS-ACC] `createAccount`).
    func createAccount(_ request: SandboxRequest) -> SandboxResponse {
        guard let element = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return XeroValidation.postDataInvalid("The request body must be a JSON Account object")
        }
        let outcome = saveAccount(element, existing: nil)
        return Self.accountBatch.response([(element, outcome)], summarizeErrors: true, providerName: providerName)
    }

    /// `POST /Accounts/{AccountID}`: the first element of `Accounts` updates the account the path names.
    func updateAccount(_ request: SandboxRequest, key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let existing = accounts[id] else { return XeroProblem.notFound() }
        guard let element = Self.accountBatch.elements(of: request.body)?.first else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with an Accounts array")
        }
        let outcome = saveAccount(element, existing: existing)
        return Self.accountBatch.response([(element, outcome)], summarizeErrors: true, providerName: providerName)
    }

    func deleteAccount(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), var account = accounts[id] else { return XeroProblem.notFound() }
        var messages: [String] = []
        if account.SystemAccount != nil { messages.append("System accounts cannot be deleted.") }
        if messages.isEmpty, accountIsUsed(account) {
            messages.append("This account has been used and cannot be deleted. Archive it instead.")
        }
        guard messages.isEmpty else {
            var element = (try? JSONSerialization.jsonObject(with: Data(accounts.json(id) ?? []))) as? [String: Any] ?? [:]
            element["ValidationErrors"] = messages.map { ["Message": $0] }
            return XeroValidation.exception(elements: [element])
        }
        account.Status = "DELETED"
        account.UpdatedDateUTC = XeroDate(Date())
        accounts.remove(id)
        return .json(200, XeroEnvelope.list(XeroAccount.collection, [XeroJSON.encode(account)], providerName: providerName))
    }

    /// Whether anything refers to the account. Items do today; documents
    /// (invoices, journals, payments) add their checks here as they arrive.
    func accountIsUsed(_ account: XeroAccount) -> Bool {
        guard let code = account.Code, !code.isEmpty else { return false }
        return itemsUsing(accountCode: code) || documentsUse(accountCode: code)
            || payments.all.contains { $0.Account.AccountID == account.AccountID.uuidString.lowercased() }
    }

    /// The active account with this code, as items and documents look them up.
    func activeAccount(code: String) -> XeroAccount? {
        accounts.first { $0.Code == code && $0.Status == "ACTIVE" }
    }

    private func saveAccount(_ element: [String: Any], existing: XeroAccount?) -> XeroBatch.Outcome {
        let input: XeroAccountInput
        do {
            input = try XeroJSON.decode(XeroAccountInput.self, element: element)
        } catch {
            return .failed(messages: ["The account could not be read: \(XeroJSON.describe(error))"])
        }
        var account = existing ?? XeroAccount(id: UUID(), code: nil, name: "", type: input.Type ?? "", taxType: nil)
        let messages = apply(input, to: &account, previous: existing)
        guard messages.isEmpty else { return .failed(messages: messages) }
        accounts.put(account)
        if let old = existing?.Code, let new = account.Code, old != new { accountCodeChanged(from: old, to: new) }
        return .saved(json: accounts.json(account.AccountID)!)
    }

    /// Applies what the client sent, derives the read-only fields, and returns
    /// what is wrong with the result (nothing: it may be saved).
    private func apply(_ input: XeroAccountInput, to account: inout XeroAccount, previous: XeroAccount?) -> [String] {
        var messages: [String] = []
        if let name = input.Name { account.Name = name.trimmingCharacters(in: .whitespaces) }
        if let code = input.Code { account.Code = code.trimmingCharacters(in: .whitespaces) }
        if let type = input.Type { account.Type = type }
        if let status = input.Status { account.Status = status }
        if let description = input.Description { account.Description = description }
        if let taxType = input.TaxType { account.TaxType = taxType }
        if let value = input.EnablePaymentsToAccount { account.EnablePaymentsToAccount = value }
        if let value = input.ShowInExpenseClaims { account.ShowInExpenseClaims = value }
        if let value = input.AddToWatchlist { account.AddToWatchlist = value }

        guard let accountClass = XeroAccount.classOfType[account.Type] else {
            messages.append(account.Type.isEmpty ? "Please select an account Type." : "\(account.Type) is not a valid account Type.")
            return messages + nameAndCodeProblems(&account)
        }
        if let previous, previous.Type != account.Type {
            if previous.SystemAccount != nil { messages.append("The Type of a system account cannot be changed.") }
            if (previous.Type == "BANK") != (account.Type == "BANK") {
                messages.append("A bank account cannot be changed to another type, nor another account to a bank account.")
            }
        }
        account.Class = accountClass
        if previous?.Type != account.Type { account.ReportingCode = XeroAccount.reportingCodeOfClass[accountClass]?.code }
        if let code = input.ReportingCode { account.ReportingCode = code }
        account.ReportingCodeName = XeroAccount.reportingCodeOfClass.values.first { $0.code == account.ReportingCode }?.name

        if account.Type == "BANK" {
            if let number = input.BankAccountNumber { account.BankAccountNumber = number }
            if let type = input.BankAccountType { account.BankAccountType = type }
            if account.BankAccountType.isEmpty { account.BankAccountType = "BANK" }
            if let currency = input.CurrencyCode { account.CurrencyCode = currency }
            if account.CurrencyCode == nil { account.CurrencyCode = organisation.BaseCurrency }
            // Xero: "Valid for all types of accounts except bank accounts".
            account.Description = nil
            if (account.BankAccountNumber ?? "").isEmpty { messages.append("Please enter a Bank Account Number.") }
            if !XeroAccount.bankAccountTypes.contains(account.BankAccountType) {
                messages.append("BankAccountType must be BANK, CREDITCARD or PAYPAL.")
            }
            if let currency = account.CurrencyCode, currency.count != 3 || !currency.allSatisfy(\.isUppercase) {
                messages.append("\(currency) is not a valid CurrencyCode.")
            }
        } else {
            account.BankAccountType = ""
            account.BankAccountNumber = nil
            account.CurrencyCode = nil
        }

        messages += nameAndCodeProblems(&account)
        if (account.Description?.count ?? 0) > 4000 { messages.append("Description must be 4000 characters or fewer.") }

        switch account.Status {
        case "ACTIVE": break
        case "ARCHIVED":
            if account.SystemAccount != nil { messages.append("System accounts cannot be archived.") }
        default:
            messages.append("Status must be ACTIVE or ARCHIVED; delete an account with DELETE.")
        }

        if account.TaxType == nil || account.TaxType == "" {
            account.TaxType = defaultTaxType(accountClass: accountClass)
        }
        if let taxType = account.TaxType, !taxRate(taxType, canApplyTo: accountClass) {
            messages.append("The TaxType code \(taxType) does not exist or cannot be used with this type of account.")
        }
        return messages
    }

    /// Name and Code: required (a bank account may go without a code), short enough, unique.
    private func nameAndCodeProblems(_ account: inout XeroAccount) -> [String] {
        var messages: [String] = []
        if account.Name.isEmpty { messages.append("Please enter a Name.") }
        if account.Name.count > 150 { messages.append("Name must be 150 characters or fewer.") }
        if !account.Name.isEmpty, accounts.contains(where: { $0.AccountID != account.AccountID && $0.Name.lowercased() == account.Name.lowercased() }) {
            messages.append("Please enter a unique Name.")
        }
        let code = account.Code ?? ""
        if code.isEmpty {
            account.Code = nil
            if account.Type != "BANK" { messages.append("Please enter a Code.") }
        } else {
            if code.count > 10 { messages.append("Code must be 10 characters or fewer.") }
            if accounts.contains(where: { $0.AccountID != account.AccountID && $0.Code?.lowercased() == code.lowercased() }) {
                messages.append("Please enter a unique Code.")
            }
        }
        return messages
    }
}
