import Foundation

/// `/ref/tax`: list (paged; `ID`, `Name` starts with, `IsActive`,
/// `IsTaxForSale`, `IsTaxForPurchase`, `Account`), create, update by `ID`. The
/// blueprint has no DELETE for tax rules.
extension Cin7Company {
    static let taxRulesKey = "TaxRuleList"

    func listTaxRules(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        let name = Cin7Query.text(request, "Name")
        let active = try Cin7Query.flag(request, "IsActive")
        let forSale = try Cin7Query.flag(request, "IsTaxForSale")
        let forPurchase = try Cin7Query.flag(request, "IsTaxForPurchase")
        let account = Cin7Query.text(request, "Account")
        let keys = taxRules.all.filter { rule in
            (id.map { rule.ID == $0 } ?? true)
                && (name.map { rule.Name.cin7StartsWith($0) } ?? true)
                && (active.map { rule.IsActive == $0 } ?? true)
                && (forSale.map { rule.IsTaxForSale == $0 } ?? true)
                && (forPurchase.map { rule.IsTaxForPurchase == $0 } ?? true)
                && (account.map { rule.Account.cin7Equals($0) } ?? true)
        }.sorted { $0.Name.lowercased() < $1.Name.lowercased() }.map(\.key)
        return try page(taxRules, keys, arrayKey: Self.taxRulesKey, request)
    }

    func createTaxRule(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7TaxRuleInput.self, from: request.body).get()
        var rule = Cin7TaxRule(ID: newID(), Name: "", Account: "", IsActive: true, TaxInclusive: false,
                               TaxPercent: 0, IsTaxForSale: false, IsTaxForPurchase: false, Components: [])
        var check = Cin7Validation()
        check.check(input.IsActive != nil, "Required attribute IsActive is not provided.")
        check.check(input.TaxInclusive != nil, "Required attribute TaxInclusive is not provided.")
        apply(input, to: &rule, check: &check, creating: true)
        try check.finish()
        taxRules.put(rule)
        return written(taxRules, rule.key, arrayKey: Self.taxRulesKey)
    }

    func updateTaxRule(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        guard !accountingIntegrationEnabled else {
            throw .badRequest("Updating tax rules is not allowed while integration with Xero or Quickbooks enabled.")
        }
        let input = try Cin7JSON.decode(Cin7TaxRuleInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID")
        try check.finish()
        guard UUID(uuidString: id) != nil, var rule = taxRules[id] else { throw .badRequest("Tax rule with specified ID not found.") }
        apply(input, to: &rule, check: &check, creating: false)
        try check.finish()
        taxRules.put(rule)
        return written(taxRules, rule.key, arrayKey: Self.taxRulesKey)
    }

    private func apply(_ input: Cin7TaxRuleInput, to rule: inout Cin7TaxRule, check: inout Cin7Validation, creating: Bool) {
        if creating || input.Name != nil {
            rule.Name = check.required(input.Name, "Name", maxLength: 50)
            let name = rule.Name, id = rule.ID
            check.check(name.isEmpty || !taxRules.all.contains { $0.ID != id && $0.Name.cin7Equals(name) },
                        "Tax rule with Name '\(name)' already exists.")
        }
        if creating || input.Account != nil {
            let code = check.required(input.Account?.value, "Account")
            check.check(code.isEmpty || activeAccount(code, classes: ["LIABILITY"]) != nil,
                        "Account '\(code)' should be an ACTIVE account of class LIABILITY.")
            rule.Account = accounts[code]?.Code ?? code
        }
        if let value = input.IsActive { rule.IsActive = value.value }
        if let value = input.TaxInclusive { rule.TaxInclusive = value.value }
        if let value = input.IsTaxForSale { rule.IsTaxForSale = value.value }
        if let value = input.IsTaxForPurchase { rule.IsTaxForPurchase = value.value }
        // Components sent replace the rule's; one sent with a known ID keeps it.
        if let components = input.Components {
            var result: [Cin7TaxRule.Component] = []
            for (index, component) in components.enumerated() {
                let label = "Components[\(index)]"
                let name = check.required(component.Name, "\(label).Name", maxLength: 50)
                let percent = component.Percent?.value
                check.check(percent != nil, "Required attribute \(label).Percent is not provided.")
                check.check(percent.map { $0 >= 0 && $0 <= 100 } ?? true, "\(label).Percent should be between 0 and 100.")
                let code = component.AccountCode?.value ?? ""
                check.check(code.isEmpty || activeAccount(code, classes: ["LIABILITY"]) != nil,
                            "\(label).AccountCode '\(code)' should be an ACTIVE account of class LIABILITY.")
                let order = component.ComponentOrder.map { NSDecimalNumber(decimal: $0.value).intValue } ?? index + 1
                let existing = component.ID.flatMap { id in rule.Components.first { $0.ID.cin7Equals(id) } }
                let id = existing?.ID ?? newID().uppercased()
                let value = percent ?? 0
                result.append(.init(ID: id, Name: name, Percent: Cin7Number.fixed(value, places: 10), AccountCode: accounts[code]?.Code ?? code,
                                    Compound: component.Compound?.value == true ? "1" : "0", ComponentOrder: String(order),
                                    _percent: value, _order: order))
            }
            rule.Components = result.sorted { $0._order < $1._order }
        }
        if creating && rule.Components.isEmpty {
            check.fail("Required attribute Components is not provided.")
        }
        rule.TaxPercent = rule.Components.reduce(Decimal(0)) { $0 + $1._percent }
        check.check(rule.TaxPercent <= 100, "TaxPercent should be between 0 and 100.")
    }

    /// An active rule by name, for sales (`forSale`) or purchases.
    func taxRule(named name: String, forSale: Bool? = nil) -> Cin7TaxRule? {
        taxRules.all.first { rule in
            rule.Name.cin7Equals(name) && rule.IsActive
                && (forSale.map { $0 ? rule.IsTaxForSale : rule.IsTaxForPurchase } ?? true)
        }
    }
}
