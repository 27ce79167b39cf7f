import Foundation

/// `/supplier`: list (paged; `ID`, `Name` starts with, `ModifiedSince`,
/// `IncludeDeprecated`), create, update by `ID`; no DELETE.
extension Cin7Company {
    static let suppliersKey = "SupplierList"

    func listSuppliers(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        let name = Cin7Query.text(request, "Name")
        let since = try Cin7Query.date(request, "ModifiedSince")
        let includeDeprecated = try Cin7Query.flag(request, "IncludeDeprecated") ?? false
        let keys = suppliers.all.filter { supplier in
            (id.map { supplier.ID == $0 } ?? (includeDeprecated || !supplier.isDeprecated))
                && (name.map { supplier.Name.cin7StartsWith($0) } ?? true)
                && (since.map { supplier.LastModifiedOn.isAtOrAfter($0) } ?? true)
        }.map(\.key)
        return try page(suppliers, keys, arrayKey: Self.suppliersKey, request)
    }

    func createSupplier(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7SupplierInput.self, from: request.body).get()
        var supplier = Cin7Supplier(ID: newID(), Name: "", Currency: "", PaymentTerm: "", TaxRule: "", Discount: 0,
                                    Comments: "", AccountPayable: "", TaxNumber: "", AttributeSet: nil, Status: "",
                                    LastModifiedOn: stamp(), Addresses: [], Contacts: [])
        var check = Cin7Validation()
        supplier.Status = Cin7Party.status(input.Status, check: &check, required: true) ?? ""
        apply(input, to: &supplier, check: &check, creating: true)
        try check.finish()
        suppliers.put(supplier)
        return written(suppliers, supplier.key, arrayKey: Self.suppliersKey)
    }

    func updateSupplier(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7SupplierInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID")
        try check.finish()
        guard UUID(uuidString: id) != nil, var supplier = suppliers[id] else { throw .badRequest("Supplier with specified ID not found.") }
        if let status = Cin7Party.status(input.Status, check: &check, required: false) { supplier.Status = status }
        apply(input, to: &supplier, check: &check, creating: false)
        try check.finish()
        supplier.LastModifiedOn = stamp()
        suppliers.put(supplier)
        raisePartyUpdated("Supplier", ["Supplier": Self.jsonObject(suppliers.json(supplier.key)), "Addresses": Self.jsonObject(Cin7JSON.encode(supplier.Addresses)),
                                       "Contacts": Self.jsonObject(Cin7JSON.encode(supplier.Contacts))])
        return written(suppliers, supplier.key, arrayKey: Self.suppliersKey)
    }

    private func apply(_ input: Cin7SupplierInput, to supplier: inout Cin7Supplier, check: inout Cin7Validation, creating: Bool) {
        if creating || input.Name != nil {
            supplier.Name = check.required(input.Name, "Name", maxLength: 256)
            let name = supplier.Name, id = supplier.ID
            check.check(name.isEmpty || !suppliers.all.contains { $0.ID != id && $0.Name.cin7Equals(name) }, "Supplier with Name '\(name)' already exists.")
        }
        if creating || input.Currency != nil { supplier.Currency = currency(input.Currency, check: &check) }
        if creating || input.PaymentTerm != nil { supplier.PaymentTerm = paymentTerm(input.PaymentTerm, check: &check) }
        if creating || input.AccountPayable != nil {
            supplier.AccountPayable = accountCode(input.AccountPayable?.value, "AccountPayable", classes: ["LIABILITY"], check: &check)
        }
        if creating || input.TaxRule != nil { supplier.TaxRule = taxRuleName(input.TaxRule, forSale: false, check: &check) }
        if let discount = input.Discount?.value {
            check.check(discount >= 0 && discount <= 100, "Discount must be between 0% and 100%.")
            supplier.Discount = discount
        }
        if let v = input.Comments { supplier.Comments = v }
        check.length(supplier.Comments, "Comments", 256)
        if let v = input.TaxNumber { supplier.TaxNumber = v.value }
        if let v = input.AttributeSet { supplier.AttributeSet = v.isEmpty ? nil : v }
        supplier.attributes = Cin7Party.attributes(input.attributes, over: supplier.attributes)
        if let addresses = input.Addresses { supplier.Addresses = Cin7Party.merge(addresses, into: supplier.Addresses, check: &check, newID: newID) }
        if let contacts = input.Contacts { supplier.Contacts = Cin7Party.merge(contacts, into: supplier.Contacts, check: &check, newID: newID) }
    }
}
