import Foundation

/// `/customer`: list (paged; `ID`, `Name` starts with, `ContactFilter`,
/// `ModifiedSince`, `IncludeDeprecated`, `IncludeProductPrices`), create,
/// update by `ID`. No DELETE: a customer is deprecated instead (reference §5).
extension Cin7Company {
    static let customersKey = "CustomerList"

    func listCustomers(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        let name = Cin7Query.text(request, "Name")
        let contact = Cin7Query.text(request, "ContactFilter")
        let since = try Cin7Query.date(request, "ModifiedSince")
        let includeDeprecated = try Cin7Query.flag(request, "IncludeDeprecated") ?? false
        let includePrices = try Cin7Query.flag(request, "IncludeProductPrices") ?? false
        let keys = customers.all.filter { customer in
            // Asked for by ID, a deprecated customer is still found.
            (id.map { customer.ID == $0 } ?? (includeDeprecated || !customer.isDeprecated))
                && (name.map { customer.Name.cin7StartsWith($0) } ?? true)
                // "contact name starts with the specified value or contact email equals" it (apib:1053).
                && (contact.map { value in customer.Contacts.contains { $0.Name.cin7StartsWith(value) || $0.Email.cin7Equals(value) } } ?? true)
                // `ModifiedSince` is inclusive: a record stamped at that very millisecond is returned,
                // so a client that re-sends the newest `LastModifiedOn` it saw misses nothing.
                && (since.map { customer.LastModifiedOn.isAtOrAfter($0) } ?? true)
        }.map(\.key)
        return try page(customers, keys, arrayKey: Self.customersKey, request) { key in
            includePrices ? self.customerJSON(key, withPrices: true) : nil
        }
    }

    func createCustomer(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7CustomerInput.self, from: request.body).get()
        var customer = Cin7Customer(ID: newID(), Name: "", Currency: "", PaymentTerm: "", Discount: 0, TaxRule: "",
                                    Carrier: nil, SalesRepresentative: nil, Location: books.defaultLocation.name, Comments: "",
                                    AccountReceivable: "", RevenueAccount: "", PriceTier: books.priceTiers[0], TaxNumber: "", AttributeSet: nil,
                                    Tags: "", Status: "", CreditLimit: 0, IsOnCreditHold: false, LastModifiedOn: stamp(), Addresses: [], Contacts: [])
        var check = Cin7Validation()
        customer.Status = Cin7Party.status(input.Status, check: &check, required: true) ?? ""
        apply(input, to: &customer, check: &check, creating: true)
        try check.finish()
        customers.put(customer)
        return written(customers, customer.key, arrayKey: Self.customersKey, json: customerJSON(customer.key, withPrices: !customer._productPrices.isEmpty))
    }

    func updateCustomer(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7CustomerInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID")
        try check.finish()
        guard UUID(uuidString: id) != nil, var customer = customers[id] else { throw .badRequest("Customer with specified ID not found.") }
        if let status = Cin7Party.status(input.Status, check: &check, required: false) { customer.Status = status }
        apply(input, to: &customer, check: &check, creating: false)
        try check.finish()
        customer.LastModifiedOn = stamp()
        customers.put(customer)
        raisePartyUpdated("Customer", ["Customer": Self.jsonObject(customers.json(customer.key)), "Addresses": Self.jsonObject(Cin7JSON.encode(customer.Addresses)),
                                       "Contacts": Self.jsonObject(Cin7JSON.encode(customer.Contacts))])
        return written(customers, customer.key, arrayKey: Self.customersKey, json: customerJSON(customer.key, withPrices: !customer._productPrices.isEmpty))
    }

    func customerJSON(_ key: String, withPrices: Bool) -> [UInt8]? {
        guard let customer = customers[key], let json = customers.json(key) else { return nil }
        guard withPrices else { return json }
        // The product's current name and SKU, whatever they were when the price was set.
        let prices = customer._productPrices.map { price in
            products[price.ProductID].map { Cin7Customer.ProductPrice(ProductID: $0.ID, ProductName: $0.Name, ProductSKU: $0.SKU, Price: price.Price) } ?? price
        }
        return Cin7JSON.appending(json, [("ProductPrices", Cin7JSON.encode(prices))])
    }

    private func apply(_ input: Cin7CustomerInput, to customer: inout Cin7Customer, check: inout Cin7Validation, creating: Bool) {
        if creating || input.Name != nil {
            customer.Name = check.required(input.Name, "Name", maxLength: 256)
            let name = customer.Name, id = customer.ID
            check.check(name.isEmpty || !customers.all.contains { $0.ID != id && $0.Name.cin7Equals(name) }, "Customer with Name '\(name)' already exists.")
        }
        if creating || input.Currency != nil { customer.Currency = currency(input.Currency, check: &check) }
        if creating || input.PaymentTerm != nil { customer.PaymentTerm = paymentTerm(input.PaymentTerm, check: &check) }
        if creating || input.AccountReceivable != nil {
            customer.AccountReceivable = accountCode(input.AccountReceivable?.value, "AccountReceivable", classes: ["ASSET"], check: &check)
        }
        if creating || input.RevenueAccount != nil {
            customer.RevenueAccount = accountCode(input.RevenueAccount?.value, "RevenueAccount", classes: ["REVENUE"], check: &check)
        }
        if creating || input.TaxRule != nil { customer.TaxRule = taxRuleName(input.TaxRule, forSale: true, check: &check) }
        if let tier = input.PriceTier {
            let found = Cin7ReferenceBooks.find(tier, in: books.priceTiers)
            check.check(found != nil, "PriceTier '\(tier)' not found.")
            customer.PriceTier = found ?? tier
        }
        if let carrier = input.Carrier {
            let found = Cin7ReferenceBooks.find(carrier, in: books.carriers)
            check.check(carrier.isEmpty || found != nil, "Carrier '\(carrier)' not found.")
            customer.Carrier = carrier.isEmpty ? nil : found ?? carrier
        }
        if let value = input.SalesRepresentative { customer.SalesRepresentative = value.isEmpty ? nil : value }
        if let name = input.Location {
            let found = books.location(named: name)
            check.check(found != nil, "Location '\(name)' not found.")
            customer.Location = found?.name ?? name
        }
        if let discount = input.Discount?.value {
            check.check(discount >= 0 && discount <= 100, "Discount must be between 0% and 100%.")
            customer.Discount = discount
        }
        if let limit = input.CreditLimit?.value {
            check.check(limit >= 0, "CreditLimit must not be negative.")
            customer.CreditLimit = limit
        }
        if let v = input.Comments { customer.Comments = v }
        check.length(customer.Comments, "Comments", 2000)
        if let v = input.TaxNumber { customer.TaxNumber = v.value }
        if let v = input.Tags { customer.Tags = v }
        if let v = input.AttributeSet { customer.AttributeSet = v.isEmpty ? nil : v }
        customer.attributes = Cin7Party.attributes(input.attributes, over: customer.attributes)
        if let v = input.IsOnCreditHold { customer.IsOnCreditHold = v.value }
        if let prices = input.ProductPrices {
            customer._productPrices = prices.enumerated().compactMap { index, price in
                productPrice(price, label: "ProductPrices[\(index)]", check: &check)
            }
        }
        if let addresses = input.Addresses { customer.Addresses = Cin7Party.merge(addresses, into: customer.Addresses, check: &check, newID: newID) }
        if let contacts = input.Contacts { customer.Contacts = Cin7Party.merge(contacts, into: customer.Contacts, check: &check, newID: newID) }
    }

    private func productPrice(_ input: Cin7CustomerInput.ProductPrice, label: String, check: inout Cin7Validation) -> Cin7Customer.ProductPrice? {
        let product = input.ProductID.flatMap { products[$0] } ?? input.ProductSKU.flatMap { sku in products.all.first { $0.SKU.cin7Equals(sku) } }
        guard let product else {
            check.fail("\(label): product \(input.ProductID ?? input.ProductSKU ?? "(no ProductID or ProductSKU)") not found.")
            return nil
        }
        guard let price = input.Price?.value else {
            check.fail("Required attribute \(label).Price is not provided.")
            return nil
        }
        check.check(price >= 0, "\(label).Price must not be negative.")
        return .init(ProductID: product.ID, ProductName: product.Name, ProductSKU: product.SKU, Price: Cin7Number.rounded(price, places: 4))
    }

    // MARK: references shared by customers and suppliers

    func currency(_ value: String?, check: inout Cin7Validation) -> String {
        let code = check.required(value, "Currency").uppercased()
        check.check(code.isEmpty || books.currencies.contains(code), "Currency '\(code)' not found.")
        return code
    }

    func paymentTerm(_ value: String?, check: inout Cin7Validation) -> String {
        let name = check.required(value, "PaymentTerm")
        let found = Cin7ReferenceBooks.find(name, in: books.paymentTerms)
        check.check(name.isEmpty || found != nil, "PaymentTerm '\(name)' not found.")
        return found ?? name
    }

    func accountCode(_ value: String?, _ field: String, classes: Set<String>, check: inout Cin7Validation) -> String {
        let code = check.required(value, field)
        let found = activeAccount(code, classes: classes)
        check.check(code.isEmpty || found != nil, "\(field) '\(code)' should be an ACTIVE account of class \(classes.sorted().joined(separator: " or ")).")
        return found?.Code ?? code
    }

    func taxRuleName(_ value: String?, forSale: Bool, check: inout Cin7Validation) -> String {
        let name = check.required(value, "TaxRule")
        let found = taxRule(named: name, forSale: forSale)
        check.check(name.isEmpty || found != nil, "TaxRule '\(name)' not found or is not an active tax rule for \(forSale ? "sales" : "purchases").")
        return found?.Name ?? name
    }
}
