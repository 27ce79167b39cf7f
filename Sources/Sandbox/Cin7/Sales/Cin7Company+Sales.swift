import Foundation

/// `/saleList` (paged, filtered) and `/sale`: read by `ID`, create, update the
/// header, `DELETE ?ID=&Void=` (undo a sale nothing was authorised on, or void it).
extension Cin7Company {
    static let salesKey = "SaleList"

    func listSales(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let search = Cin7Query.text(request, "Search")
        let created = try Cin7Query.date(request, "CreatedSince")
        let updated = try Cin7Query.date(request, "UpdatedSince")
        let shipBy = try Cin7Query.date(request, "ShipBy")
        let externalID = Cin7Query.text(request, "ExternalID")
        let location = try Cin7Query.guid(request, "OrderLocationID")
        let statuses: [(String, KeyPath<Cin7SaleListRow, String>)] = [
            ("Status", \.Status), ("QuoteStatus", \.QuoteStatus), ("OrderStatus", \.OrderStatus),
            ("CombinedPickStatus", \.CombinedPickingStatus), ("CombinedPackStatus", \.CombinedPackingStatus),
            ("CombinedShippingStatus", \.CombinedShippingStatus), ("CombinedInvoiceStatus", \.CombinedInvoiceStatus),
            ("CreditNoteStatus", \.CreditNoteStatus),
        ]
        let wanted = statuses.compactMap { name, path in Cin7Query.text(request, name).map { ($0, path) } }
        let (page, limit) = try Cin7Query.paging(request)
        let rows = sales.all.map { saleRow($0) }.filter { row in
            let sale = sales[row.SaleID]!
            return (search.map { text in [row.OrderNumber, row.Customer, row.InvoiceNumber ?? "", row.CustomerReference, row.CreditNoteNumber ?? ""]
                        .contains { $0.cin7Contains(text) } } ?? true)
                && (created.map { sale._created.isAtOrAfter($0) } ?? true)
                && (updated.map { sale.LastModifiedOn.isAtOrAfter($0) } ?? true)
                && (shipBy.map { date in sale.ShipBy.map { $0.date <= date } ?? false } ?? true)
                && (externalID.map { sale.ExternalID?.cin7Equals($0) == true } ?? true)
                && (location.map { row.OrderLocationID == $0 } ?? true)
                && wanted.allSatisfy { value, path in row[keyPath: path].cin7Equals(value) }
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.salesKey, items, total: rows.count, page: page)
    }

    func saleRow(_ sale: Cin7Sale) -> Cin7SaleListRow {
        Cin7SaleListRow(sale, locationID: books.location(named: sale.Location)?.id ?? "")
    }

    func getSale(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let sale = try sale(Cin7Query.guid(request, "ID"), "ID")
        return sales.json(sale.key) ?? []
    }

    /// The sale a call names, or the 400 Cin7 gives for a missing or unknown one.
    func sale(_ id: String?, _ field: String = "SaleID") throws(Cin7Failure) -> Cin7Sale {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let sale = sales[id] else { throw .badRequest("Sale with specified \(field) not found.") }
        return sale
    }

    /// Stores a changed sale: statuses re-derived, `LastModifiedOn` moved on.
    func save(_ sale: inout Cin7Sale) {
        sale.refresh()
        sale.LastModifiedOn = stamp()
        let before = sales[sale.key]
        sales.put(sale)
        raiseSaleEvents(before: before, after: sale)
    }

    func createSale(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7SaleInput.self, from: request.body).get()
        var check = Cin7Validation()
        if let type = input.SaleType, !type.isEmpty {
            check.check(["Simple", "Advanced"].contains { $0.cin7Equals(type) }, "SaleType '\(type)' is not valid. Use Simple or Advanced.")
            check.check(!type.cin7Equals("Advanced"), "Advanced sales are not supported by the sandbox yet; use SaleType Simple.")
        }
        check.check(input.ServiceOnly?.value != true, "Service-only sales are not supported by the sandbox yet.")
        let customer: Cin7Customer?
        if let id = input.CustomerID, !id.isEmpty {
            customer = customers[id]
            check.check(customer != nil, "Customer with ID '\(id)' not found.")
        } else if let name = input.Customer, !name.isEmpty {
            customer = customers.all.first { $0.Name.cin7Equals(name) }
            check.check(customer != nil, "Customer '\(name)' not found.")
        } else {
            customer = nil
            check.fail("Required attribute Customer or CustomerID is not provided.")
        }
        check.check(customer?.isDeprecated != true, "Customer '\(customer?.Name ?? "")' is deprecated.")
        let location = documentLocation(input.Location, check: &check)
        try check.finish()
        let buyer = customer!
        let now = stamp()
        let contact = buyer.Contacts.first { $0.Default } ?? buyer.Contacts.first
        let billing = buyer.Addresses.first { $0.Type == "Billing" && $0.DefaultForType } ?? buyer.Addresses.first { $0.Type == "Billing" }
        var sale = Cin7Sale(ID: newID(), Customer: buyer.Name, CustomerID: buyer.ID, Contact: contact?.Name ?? "",
                            Phone: contact?.Phone ?? "", Email: contact?.Email ?? "", DefaultAccount: buyer.RevenueAccount,
                            BaseCurrency: me.Currency, CustomerCurrency: buyer.Currency, TaxRule: buyer.TaxRule, Terms: buyer.PaymentTerm,
                            PriceTier: buyer.PriceTier, Location: location, SaleOrderDate: Cin7Day(date: now.date), LastModifiedOn: now,
                            Carrier: buyer.Carrier ?? "", SalesRepresentative: buyer.SalesRepresentative ?? "",
                            Order: .init(SaleOrderNumber: ""), _created: now)
        if let billing {
            sale.BillingAddress = .init(Line1: billing.Line1, Line2: billing.Line2, City: billing.City, State: billing.State,
                                        Postcode: billing.Postcode, Country: billing.Country)
        }
        apply(input, to: &sale, check: &check, creating: true)
        try check.finish()
        sale.Order.SaleOrderNumber = nextNumber("SO")
        save(&sale)
        return sales.json(sale.key) ?? []
    }

    func updateSale(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7SaleInput.self, from: request.body).get()
        var sale = try sale(input.ID, "ID")
        guard !sale._voided else { throw .badRequest("Sale \(sale.Order.SaleOrderNumber) is voided and cannot be changed.") }
        var check = Cin7Validation()
        check.check(input.SaleType == nil, "SaleType is available only for POST.")
        if input.CustomerID != nil || input.Customer != nil {
            let wanted = input.CustomerID.flatMap { customers[$0] } ?? input.Customer.flatMap { name in customers.all.first { $0.Name.cin7Equals(name) } }
            check.check(wanted != nil, "Customer '\(input.CustomerID ?? input.Customer ?? "")' not found.")
            if let wanted, wanted.ID != sale.CustomerID {
                check.check(!sale.quoteReady || sale.Quote.Status == "NOT AVAILABLE" && !sale.SkipQuote,
                            "The customer of a sale cannot be changed once its quote or order is authorised.")
                (sale.Customer, sale.CustomerID, sale.CustomerCurrency) = (wanted.Name, wanted.ID, wanted.Currency)
            }
        }
        if input.Location != nil { sale.Location = documentLocation(input.Location, check: &check) }
        apply(input, to: &sale, check: &check, creating: false)
        try check.finish()
        save(&sale)
        return sales.json(sale.key) ?? []
    }

    private func apply(_ input: Cin7SaleInput, to sale: inout Cin7Sale, check: inout Cin7Validation, creating: Bool) {
        if let v = input.Contact { sale.Contact = v }
        if let v = input.Phone { sale.Phone = v.value }
        if let v = input.Email { sale.Email = v }
        if let code = input.DefaultAccount?.value {
            check.check(activeAccount(code, classes: ["REVENUE"]) != nil, "DefaultAccount '\(code)' should be an ACTIVE account of class REVENUE.")
            sale.DefaultAccount = code
        }
        if let v = input.SkipQuote?.value {
            check.check(creating || v == sale.SkipQuote || sale.Quote.Status == "NOT AVAILABLE", "SkipQuote cannot be changed once the quote has lines.")
            sale.SkipQuote = v
        }
        if let a = input.BillingAddress { sale.BillingAddress = Self.address(a, over: sale.BillingAddress) }
        if let a = input.ShippingAddress { sale.ShippingAddress = Self.address(a, over: sale.ShippingAddress) }
        if let v = input.ShippingNotes { sale.ShippingNotes = v }
        if let name = input.TaxRule {
            let rule = taxRule(named: name, forSale: true)
            check.check(rule != nil, "TaxRule '\(name)' not found or is not an active tax rule for sales.")
            sale.TaxRule = rule?.Name ?? name
        }
        if let v = input.TaxInclusive?.value { sale.TaxCalculation = v ? "Inclusive" : "Exclusive" }
        if let v = input.Terms { sale.Terms = paymentTerm(v, check: &check) }
        if let tier = input.PriceTier {
            let found = Cin7ReferenceBooks.find(tier, in: books.priceTiers)
            check.check(found != nil, "PriceTier '\(tier)' not found.")
            sale.PriceTier = found ?? tier
        }
        if input.ShipBy != nil { sale.ShipBy = check.day(input.ShipBy, "ShipBy") }
        if let day = check.day(input.SaleOrderDate, "SaleOrderDate") { sale.SaleOrderDate = day }
        if let v = input.Note { sale.Note = v }
        check.length(sale.Note, "Note", 1024)
        if let v = input.CustomerReference { sale.CustomerReference = v }
        check.length(sale.CustomerReference, "CustomerReference", 256)
        if let v = input.SalesRepresentative { sale.SalesRepresentative = v }
        if let v = input.Carrier { sale.Carrier = v }
        if let v = input.ExternalID { sale.ExternalID = v.isEmpty ? nil : v }
        check.length(sale.ExternalID, "ExternalID", 256)
        if let attributes = input.AdditionalAttributes {
            for (name, value) in attributes {
                check.check(sale.AdditionalAttributes[name] != nil, "AdditionalAttributes.\(name) is not an additional attribute.")
                if sale.AdditionalAttributes[name] != nil { sale.AdditionalAttributes[name] = value ?? "" }
            }
        }
        if let rate = input.CurrencyRate?.value {
            check.check(rate > 0, "CurrencyRate must be greater than 0.")
            sale.CurrencyRate = rate
        } else if creating && sale.CustomerCurrency != sale.BaseCurrency {
            check.fail("Required attribute CurrencyRate is not provided: customer currency \(sale.CustomerCurrency) differs from base currency \(sale.BaseCurrency).")
        }
    }

    static func address(_ input: Cin7SaleInput.Address, over old: Cin7Sale.AddressModel) -> Cin7Sale.AddressModel {
        var a = old
        if let v = input.Line1 { a.Line1 = v }
        if let v = input.Line2 { a.Line2 = v }
        if let v = input.City { a.City = v }
        if let v = input.State { a.State = v }
        if let v = input.Postcode { a.Postcode = v.value }
        if let v = input.Country { a.Country = v }
        if let v = input.Company { a.Company = v }
        if let v = input.Contact { a.Contact = v }
        if let v = input.ShipToOther { a.ShipToOther = v.value }
        a.DisplayAddressLine1 = [a.Line1, a.Line2].filter { !$0.isEmpty }.joined(separator: " ")
        a.DisplayAddressLine2 = [a.City, a.State, a.Postcode, a.Country].filter { !$0.isEmpty }.joined(separator: " ")
        return a
    }

    /// `DELETE /sale?ID=&Void=`: with `Void=false` (the default) a sale with
    /// nothing authorised is undone — removed; with `Void=true` it is voided:
    /// allocations released, shipped stock returned. Payments must go first.
    func deleteSale(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var sale = try sale(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard !sale._voided else { throw .badRequest("Sale \(sale.Order.SaleOrderNumber) is already voided.") }
        let anyAuthorised = sale.Quote.Status == Cin7Sale.authorised || sale.orderAuthorised || sale.invoiceAuthorised
        if !void {
            guard !anyAuthorised else {
                throw .badRequest("Sale \(sale.Order.SaleOrderNumber) has authorised tasks and cannot be undone; void it instead (Void=true).")
            }
            let json = sales.json(sale.key) ?? []
            sales.remove(sale.key)
            return json
        }
        let payments = sale.Quote.Prepayments.count + sale.Invoices.reduce(0) { $0 + $1.Payments.count } + sale.CreditNotes.reduce(0) { $0 + $1.Refunds.count }
        guard payments == 0 else { throw .badRequest("Sale \(sale.Order.SaleOrderNumber) has payments; delete them before voiding the sale.") }
        releaseStock(of: &sale)
        sale._voided = true
        sale.Quote.Status = sale.Quote.Status == "NOT AVAILABLE" ? "NOT AVAILABLE" : "VOIDED"
        sale.Order.Status = sale.Order.Status == "NOT AVAILABLE" ? "NOT AVAILABLE" : "VOIDED"
        for i in sale.Fulfilments.indices {
            for step in [\Cin7Sale.Fulfilment.Pick, \Cin7Sale.Fulfilment.Pack] where sale.Fulfilments[i][keyPath: step].Status != "NOT AVAILABLE" {
                sale.Fulfilments[i][keyPath: step].Status = "VOIDED"
            }
            if sale.Fulfilments[i].Ship.Status != "NOT AVAILABLE" { sale.Fulfilments[i].Ship.Status = "VOIDED" }
        }
        for i in sale.Invoices.indices { sale.Invoices[i].Status = "VOIDED" }
        for i in sale.CreditNotes.indices { sale.CreditNotes[i].Status = "VOIDED" }
        save(&sale)
        return sales.json(sale.key) ?? []
    }
}
