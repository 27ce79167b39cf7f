import Foundation

/// `/ref/account`: list (paged; `Code`, `Name` starts with, `Type`, `Status`),
/// create, update by `Code`, delete by `Code` (apib:812-1010). No
/// `ModifiedSince`: a client refetches the whole chart.
extension Cin7Company {
    static let accountsKey = "AccountsList"

    func listAccounts(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let code = Cin7Query.text(request, "Code")
        let name = Cin7Query.text(request, "Name")
        let type = Cin7Query.text(request, "Type")
        let status = Cin7Query.text(request, "Status")
        let matching = accounts.all.filter { account in
            (code.map { account.Code.cin7Equals($0) } ?? true)
                && (name.map { account.Name.cin7StartsWith($0) } ?? true)
                && (type.map { account.Type.cin7Equals($0) } ?? true)
                && (status.map { account.Status.cin7Equals($0) } ?? true)
        }
        // Live Cin7 answers an unmatched `Code` with a 400, not an empty list
        // (seen by a client in 2026; reference §2 lists the array shape it came in).
        if let code, matching.isEmpty { throw .badRequest("Account with specified ID not found (Code '\(code)').") }
        // The blueprint's example lists accounts by name (Accounts Payable, Accounts Receivable, Advertising).
        let keys = matching.sorted { ($0.Name.lowercased(), $0.Code) < ($1.Name.lowercased(), $1.Code) }.map(\.key)
        return try page(accounts, keys, arrayKey: Self.accountsKey, request)
    }

    func createAccount(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AccountInput.self, from: request.body).get()
        var check = Cin7Validation()
        let code = check.required(input.Code?.value, "Code", maxLength: 50)
        check.check(code.isEmpty || accounts[code] == nil, "Account with Code '\(code)' already exists.")
        var account = Cin7Account(Code: code, Status: "", Name: "", Type: "", Description: "", Class: "",
                                  SystemAccount: nil, BankAccountNumber: nil, BankAccountId: nil, ForPayments: false,
                                  DisplayName: "", OldCode: nil)
        if let system = input.SystemAccount, !system.isEmpty {
            let upper = system.uppercased()
            check.check(Cin7Account.systemAccounts.contains(upper), "SystemAccount '\(system)' is not valid.")
            check.check(!accounts.all.contains { $0.SystemAccount == upper }, "System account \(upper) is already assigned to another account.")
            account.SystemAccount = upper
        }
        apply(input, to: &account, check: &check, creating: true)
        try check.finish()
        accounts.put(account)
        return written(accounts, account.key, arrayKey: Self.accountsKey)
    }

    func updateAccount(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        guard !accountingIntegrationEnabled else {
            throw .badRequest("Updating accounts is not allowed while integration with Xero or Quickbooks enabled.")
        }
        let input = try Cin7JSON.decode(Cin7AccountInput.self, from: request.body).get()
        var check = Cin7Validation()
        let code = check.required(input.Code?.value, "Code")
        try check.finish()
        guard var account = accounts[code] else { throw .badRequest("Account with specified ID not found (Code '\(code)').") }
        // `SystemAccount` is read-only for PUT (apib:826).
        apply(input, to: &account, check: &check, creating: false)
        try check.finish()
        accounts.put(account)
        return written(accounts, account.key, arrayKey: Self.accountsKey)
    }

    /// `DELETE /ref/account?Code=` answers `{"Success": true}` (apib:993).
    func deleteAccount(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        guard !accountingIntegrationEnabled else {
            throw .badRequest("Updating accounts is not allowed while integration with Xero or Quickbooks enabled.")
        }
        guard let code = Cin7Query.text(request, "Code") else { throw .badRequest("Required attribute Code is not provided.") }
        guard let account = accounts[code] else { throw .badRequest("Account with specified ID not found (Code '\(code)').") }
        if let system = account.SystemAccount { throw .badRequest("Account \(account.Code) is the \(system) system account and cannot be deleted.") }
        if let user = accountUser(account.Code) { throw .badRequest("Account \(account.Code) is used by \(user) and cannot be deleted.") }
        accounts.remove(account.key)
        return Array(#"{"Success":true}"#.utf8)
    }

    private func apply(_ input: Cin7AccountInput, to account: inout Cin7Account, check: inout Cin7Validation, creating: Bool) {
        if creating || input.Name != nil { account.Name = check.required(input.Name, "Name", maxLength: 256) }
        if creating || input.Type != nil {
            let type = check.required(input.Type, "Type", maxLength: 50).uppercased()
            check.check(type.isEmpty || Cin7Account.typeClasses[type] != nil, "Type '\(type)' is not valid.")
            account.Type = type
        }
        if creating || input.Status != nil {
            let status = check.required(input.Status, "Status", maxLength: 50).uppercased()
            check.check(status.isEmpty || Cin7Account.statuses.contains(status), "Status '\(status)' is not valid. Use ACTIVE or ARCHIVED.")
            account.Status = status
        }
        if let description = input.Description { account.Description = description }
        if let klass = input.Class, !klass.isEmpty {
            check.check(Cin7Account.classes.contains(klass.uppercased()), "Class '\(klass)' is not valid.")
            account.Class = klass.uppercased()
        } else if creating || account.Class.isEmpty {
            account.Class = Cin7Account.typeClasses[account.Type] ?? ""
        }
        if let forPayments = input.ForPayments { account.ForPayments = forPayments.value }
        if let bank = input.Bank { account._bank = bank }
        if let number = input.BankAccountNumber { account.BankAccountNumber = number.value }
        if account.Type == "BANK" {
            check.check(!(account._bank ?? "").isEmpty, "Bank is required for an account of Type BANK.")
            check.check(!(account.BankAccountNumber ?? "").isEmpty, "BankAccountNumber is required for an account of Type BANK.")
            if account.BankAccountId == nil { account.BankAccountId = newID() }
            account.ForPayments = true
        }
        account.DisplayName = "\(account.Code): \(account.Name)"
    }

    /// What refers to an account by code, if anything: such an account cannot go.
    private func accountUser(_ code: String) -> String? {
        if let rule = taxRules.all.first(where: { $0.Account.cin7Equals(code) || $0.Components.contains { $0.AccountCode.cin7Equals(code) } }) {
            return "tax rule \(rule.Name)"
        }
        if let customer = customers.all.first(where: { $0.AccountReceivable.cin7Equals(code) || $0.RevenueAccount.cin7Equals(code) }) {
            return "customer \(customer.Name)"
        }
        if let supplier = suppliers.all.first(where: { $0.AccountPayable.cin7Equals(code) }) { return "supplier \(supplier.Name)" }
        if let product = products.all.first(where: { [$0.COGSAccount, $0.RevenueAccount, $0.ExpenseAccount, $0.InventoryAccount].contains { $0?.cin7Equals(code) == true } }) {
            return "product \(product.SKU)"
        }
        return nil
    }

    /// An active account of one of `classes`, by code: what masters and tax rules may point at.
    func activeAccount(_ code: String, classes: Set<String>) -> Cin7Account? {
        guard let account = accounts[code], account.isActive, classes.contains(account.Class) else { return nil }
        return account
    }
}
