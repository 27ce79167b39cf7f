import Foundation

/// What invoices and credit notes share: reading a write into a document
/// (contact, lines with their item defaults, accounts, tax and tracking;
/// totals), the status moves Xero allows, and the amounts due that payments and
/// allocations settle.
extension XeroBooks {
    static let lineAmountTypeValues = ["Exclusive", "Inclusive", "NoTax"]
    static let maxTrackingPerLine = 2

    // MARK: tables by kind

    func documents<K: XeroDocumentKind>(_: K.Type) -> EntityTable<XeroDocument<K>> {
        (K.collection == InvoiceKind.collection ? invoices as Any : creditNotes as Any) as! EntityTable<XeroDocument<K>>
    }

    func putDocument<K: XeroDocumentKind>(_ document: XeroDocument<K>, touch: Bool = true) {
        if let invoice = document as? XeroInvoice { invoices.put(invoice, touch: touch) }
        if let note = document as? XeroCreditNote { creditNotes.put(note, touch: touch) }
    }

    // MARK: reading a write

    /// The document a write asks for, or what is wrong with it.
    func buildDocument<K: XeroDocumentKind>(_ input: XeroDocumentInput, existing: XeroDocument<K>?, id: UUID,
                                            places: Int) -> Result<XeroDocument<K>, DocumentProblems> {
        var messages: [String] = []
        let type = input.Type ?? existing?.type ?? ""
        if type != K.receivable && type != K.payable {
            messages.append(type.isEmpty ? "The \(K.noun.lowercased()) Type must be specified." : "\(type) is not a valid \(K.noun.lowercased()) Type: use \(K.receivable) or \(K.payable).")
            return .failure(DocumentProblems(messages))
        }
        if let existing, existing.type != type { messages.append("The Type of a \(K.noun.lowercased()) cannot be changed.") }
        let receivable = type == K.receivable

        // The contact: it must already exist (by ContactID, else ContactNumber or Name).
        var contact: XeroContact?
        if let given = input.Contact {
            if let contactID = given.ContactID {
                contact = contacts[contactID]
                if contact == nil { messages.append("Contact with ContactID \(contactID.uuidString.lowercased()) could not be found.") }
            } else if let number = given.ContactNumber, !number.isEmpty {
                contact = contacts.first { $0.ContactNumber == number }
                if contact == nil { messages.append("Contact with ContactNumber \(number) could not be found.") }
            } else if let name = given.Name, !name.isEmpty {
                contact = contacts.first { $0.Name.lowercased() == name.lowercased() && $0.ContactStatus == "ACTIVE" }
                if contact == nil { messages.append("Contact named \(name) could not be found; create it first.") }
            } else {
                messages.append("A Contact must be specified with a ContactID.")
            }
            if let found = contact, found.ContactStatus == "ARCHIVED", existing?.contact.ContactID != found.ContactID.uuidString.lowercased() {
                messages.append("The contact \(found.Name) is archived and cannot be used on new transactions.")
            }
        } else if existing == nil {
            messages.append("A Contact must be specified for this type of transaction.")
        }
        let contactRef = contact.map { XeroContactRef(ContactID: $0.ContactID.uuidString.lowercased(), Name: $0.Name) }
            ?? existing?.contact ?? XeroContactRef(ContactID: "", Name: "")

        var document = existing ?? XeroDocument<K>(id: id, type: type, contact: contactRef, date: XeroDate(Date()).day,
                                                   currencyCode: organisation.BaseCurrency)
        document.contact = contactRef
        if let date = input.Date { document.date = date.day }
        if let due = input.DueDate { document.dueDate = due.day }
        if let sent = input.SentToContact { document.sentToContact = sent }
        if let types = input.LineAmountTypes {
            if let match = Self.lineAmountTypeValues.first(where: { $0.lowercased() == types.lowercased() }) {
                document.lineAmountTypes = match
            } else {
                messages.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
            }
        }
        if let currency = input.CurrencyCode {
            if currency.count == 3 && currency.allSatisfy({ $0.isUppercase && $0.isLetter }) {
                document.currencyCode = currency
            } else {
                messages.append("\(currency) is not a valid CurrencyCode.")
            }
        }
        if document.currencyCode == organisation.BaseCurrency {
            document.currencyRate = XeroExchangeRate(1)
        } else if let rate = input.CurrencyRate {
            if rate.value <= 0 { messages.append("CurrencyRate must be greater than zero.") } else { document.currencyRate = rate }
        }
        let numberInput = K.collection == InvoiceKind.collection ? input.InvoiceNumber : input.CreditNoteNumber
        if let number = numberInput?.trimmingCharacters(in: .whitespaces) {
            if number.count > 255 { messages.append("\(K.numberField) must be 255 characters or fewer.") }
            document.number = number.isEmpty ? nil : number
        }
        // Reference is for sales documents; on bills Xero shows the number as the reference.
        if receivable, let reference = input.Reference { document.reference = reference }

        if let lines = input.LineItems {
            document.lineItems = []
            for (index, line) in lines.enumerated() {
                let prior = line.LineItemID.flatMap { lineID in existing?.lineItems.first { $0.LineItemID == lineID } }
                let (built, problems) = buildLine(line, prior: prior, receivable: receivable, allowsDiscount: receivable && K.collection == InvoiceKind.collection,
                                                  lineAmountTypes: document.lineAmountTypes, places: places)
                messages += problems.map { lines.count > 1 ? "Line \(index + 1): \($0)" : $0 }
                document.lineItems.append(built)
            }
        }

        // Status and the moves Xero allows.
        let requested = input.Status?.uppercased() ?? existing?.status ?? "DRAFT"
        messages += statusProblems(from: existing, to: requested, noun: K.noun)
        if messages.isEmpty { document.status = requested }

        let totals = XeroDocumentTotals.apply(&document.lineItems, lineAmountTypes: document.lineAmountTypes) { taxType in
            taxType.flatMap { self.taxRate($0)?.EffectiveRate.value } ?? 0
        }
        document.subTotal = XeroMoney(totals.subTotal)
        document.totalTax = XeroMoney(totals.totalTax)
        document.total = XeroMoney(totals.total)
        document.totalDiscount = totals.totalDiscount == 0 ? nil : XeroMoney(totals.totalDiscount)

        if ["SUBMITTED", "AUTHORISED"].contains(requested) {
            if document.lineItems.isEmpty { messages.append("A \(K.noun.lowercased()) must have at least one line item to be \(requested == "AUTHORISED" ? "approved" : "submitted").") }
            for (index, line) in document.lineItems.enumerated() where line.AccountCode == nil {
                messages.append("Line \(index + 1): an AccountCode (or an ItemCode with an account) is required before the \(K.noun.lowercased()) can be \(requested == "AUTHORISED" ? "approved" : "submitted").")
            }
            if document.total.value < 0 { messages.append("The \(K.noun.lowercased()) total cannot be negative.") }
            if K.collection == InvoiceKind.collection, requested == "AUTHORISED", document.dueDate == nil {
                messages.append("Due Date is required when approving an invoice.")
            }
        }
        if let due = document.dueDate, due < document.date { messages.append("The Due Date must not be before the Date.") }

        // Settled documents (payments or allocations) and finished ones cannot change.
        if let existing, messages.isEmpty {
            var candidate = document
            candidate.updated = existing.updated
            settle(&candidate)
            let changed = !XeroJSON.sameContent(candidate, existing)
            if changed, existing.hasSettlements || ["PAID", "VOIDED", "DELETED"].contains(existing.status) {
                if requested == "VOIDED", existing.hasSettlements {
                    messages.append("This \(K.noun.lowercased()) has payments or allocations: remove them before voiding it.")
                } else {
                    messages.append("\(K.noun) not of valid status for modification")
                }
            }
            if !changed { return .success(existing) }
        }
        guard messages.isEmpty else { return .failure(DocumentProblems(messages)) }
        settle(&document)
        return .success(document)
    }

    struct DocumentProblems: Error {
        let messages: [String]
        init(_ messages: [String]) { self.messages = messages }
    }

    /// Which status a document may move to from where it is.
    private func statusProblems<K: XeroDocumentKind>(from existing: XeroDocument<K>?, to requested: String, noun: String) -> [String] {
        guard Self.documentStatuses.contains(requested) else { return ["\(requested) is not a valid Status."] }
        if requested == "PAID", existing?.status != "PAID" {
            return ["Status PAID cannot be set: a \(noun.lowercased()) becomes PAID when it is fully paid."]
        }
        guard let from = existing?.status else {
            return ["DRAFT", "SUBMITTED", "AUTHORISED"].contains(requested) ? [] : ["A new \(noun.lowercased()) must be DRAFT, SUBMITTED or AUTHORISED."]
        }
        switch from {
        case "DRAFT", "SUBMITTED":
            return requested == "VOIDED" ? ["A \(noun.lowercased()) that is not approved cannot be voided; delete it instead."] : []
        case "AUTHORISED":
            switch requested {
            case "AUTHORISED", "VOIDED": return []
            case "DELETED": return ["An approved \(noun.lowercased()) cannot be deleted; void it instead."]
            default: return ["An approved \(noun.lowercased()) cannot return to \(requested)."]
            }
        case "PAID":
            return requested == "PAID" ? [] : ["\(noun) not of valid status for modification"]
        default:
            return requested == from ? [] : ["\(noun) not of valid status for modification"]
        }
    }

    static let documentStatuses: Set<String> = ["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"]

    /// One line: the sent fields over the line it replaces (same LineItemID), the
    /// item's defaults under both; checked against accounts, tax rates and tracking.
    func buildLine(_ input: XeroLineItemInput, prior: XeroLineItem?, receivable: Bool, allowsDiscount: Bool,
                           lineAmountTypes: String, places: Int) -> (XeroLineItem, [String]) {
        var messages: [String] = []
        var line = prior ?? XeroLineItem(LineItemID: UUID(), UnitAmount: XeroUnitAmount(0), TaxAmount: XeroMoney(0),
                                         LineAmount: XeroMoney(0), Tracking: [], Quantity: XeroRate(1))
        var item: XeroItem?
        if let code = input.ItemCode, !code.isEmpty {
            item = items.first(key: code)
            if let item {
                line.ItemCode = item.Code
                line.Item = .init(ItemID: item.ItemID.uuidString.lowercased(), Name: item.Name, Code: item.Code)
                let details = receivable ? item.SalesDetails : item.PurchaseDetails
                if line.Description == nil { line.Description = receivable ? item.Description : item.PurchaseDescription ?? item.Description }
                if input.UnitAmount == nil, input.LineAmount == nil, let price = details.UnitPrice { line.UnitAmount = price }
                if input.AccountCode == nil, input.AccountID == nil {
                    line.AccountCode = details.AccountCode ?? (receivable ? nil : details.COGSAccountCode) ?? line.AccountCode
                }
                if input.TaxType == nil, let taxType = details.TaxType { line.TaxType = taxType }
            } else {
                messages.append("Item code '\(code)' is not valid.")
            }
        } else if input.ItemCode != nil {
            line.ItemCode = nil
            line.Item = nil
        }
        if let description = input.Description { line.Description = description }
        if let quantity = input.Quantity { line.Quantity = quantity }
        if let unit = input.UnitAmount {
            line.UnitAmount = unit
        } else if let amount = input.LineAmount, line.Quantity.value != 0 {
            line.UnitAmount = XeroUnitAmount(amount.value / line.Quantity.value, places: places)
        }
        if let accountID = input.AccountID {
            if let account = accounts[accountID] { line.AccountCode = account.Code } else { messages.append("Account with AccountID \(accountID.uuidString.lowercased()) could not be found.") }
        } else if let code = input.AccountCode {
            line.AccountCode = code.isEmpty ? nil : code
        }
        var account: XeroAccount?
        if let code = line.AccountCode {
            account = activeAccount(code: code)
            if account == nil {
                messages.append("Account code '\(code)' is not a valid code for this document.")
            } else if account?.Type == "BANK" {
                messages.append("Account code '\(code)' is a bank account: line items cannot use bank accounts.")
            }
            line.AccountID = account?.AccountID.uuidString.lowercased()
        } else {
            line.AccountID = nil
        }
        if let taxType = input.TaxType { line.TaxType = taxType.isEmpty ? nil : taxType }
        if line.TaxType == nil {
            line.TaxType = lineAmountTypes == "NoTax" ? "NONE" : account?.TaxType
        }
        if let taxType = line.TaxType {
            if let rate = taxRate(taxType), rate.Status == "ACTIVE" {
                if let account, !rate.applicable.allows(accountClass: account.Class) {
                    messages.append("The TaxType code '\(taxType)' cannot be used with account code '\(account.Code ?? "")'.")
                }
            } else {
                messages.append("The TaxType code '\(taxType)' does not exist or cannot be used.")
            }
        }
        if let rate = input.DiscountRate {
            if rate.value == 0 {
                line.DiscountRate = nil
            } else if !allowsDiscount {
                messages.append("Discounts are only supported on sales invoices (ACCREC).")
            } else if rate.value < 0 || rate.value > 100 {
                messages.append("DiscountRate must be between 0 and 100.")
            } else {
                line.DiscountRate = rate
            }
        }
        if let tracking = input.Tracking {
            if tracking.count > Self.maxTrackingPerLine { messages.append("A line item can have at most \(Self.maxTrackingPerLine) tracking categories.") }
            line.Tracking = []
            for entry in tracking {
                switch resolveTracking(entry) {
                case .success(let resolved):
                    if line.Tracking.contains(where: { $0.TrackingCategoryID == resolved.TrackingCategoryID }) {
                        messages.append("A line item can use each tracking category once.")
                    }
                    line.Tracking.append(resolved)
                case .failure(let problem): messages.append(problem.messages[0])
                }
            }
        }
        if (line.Description ?? "").isEmpty && line.ItemCode == nil { messages.append("Description must be specified for each line item.") }
        return (line, messages)
    }

    func resolveTracking(_ entry: XeroLineItemInput.Tracking) -> Result<XeroLineItem.Tracking, DocumentProblems> {
        let category = entry.TrackingCategoryID.flatMap { trackingCategories[$0] }
            ?? trackingCategories.first { $0.Name.lowercased() == entry.Name?.lowercased() }
        guard let category, category.Status == "ACTIVE" else {
            return .failure(DocumentProblems(["The tracking category \(entry.Name ?? entry.TrackingCategoryID?.uuidString.lowercased() ?? "") does not exist or is not active."]))
        }
        let option = entry.TrackingOptionID.flatMap { id in category.Options.first { $0.TrackingOptionID == id } }
            ?? category.Options.first { $0.Name.lowercased() == entry.Option?.lowercased() }
        guard let option, option.Status == "ACTIVE" else {
            return .failure(DocumentProblems(["The option \(entry.Option ?? "") is not an active option of tracking category \(category.Name)."]))
        }
        return .success(.init(Name: category.Name, Option: option.Name, TrackingCategoryID: category.TrackingCategoryID.uuidString.lowercased(),
                              TrackingOptionID: option.TrackingOptionID.uuidString.lowercased()))
    }

    // MARK: amounts due

    /// Derives the amounts paid and credited from the document's payments and
    /// allocations, and PAID from them: an approved document with nothing due
    /// is PAID (on the day of its last settlement), a PAID one with something
    /// due again is AUTHORISED.
    func settle<K: XeroDocumentKind>(_ document: inout XeroDocument<K>) {
        document.amountPaid = XeroMoney(document.payments.reduce(Decimal(0)) { $0 + $1.Amount.value })
        // The spec's AmountCredited: "Sum of all credit notes, over-payments and pre-payments applied to invoice".
        let balances = document.prepayments + document.overpayments
        document.amountCredited = XeroMoney(document.credits.reduce(Decimal(0)) { $0 + $1.AppliedAmount.value }
            + document.allocations.reduce(Decimal(0)) { $0 + $1.Amount.value }
            + balances.reduce(Decimal(0)) { $0 + $1.appliedAmount.value })
        let due = document.amountDue.value
        if document.status == "AUTHORISED", due == 0 {
            document.status = "PAID"
            let dates = document.payments.map(\.Date) + document.credits.map(\.Date) + document.allocations.map(\.Date) + balances.map(\.date)
            document.fullyPaidOnDate = dates.max() ?? document.date
        } else if document.status == "PAID", due != 0 {
            document.status = "AUTHORISED"
            document.fullyPaidOnDate = nil
        }
    }

    /// `IsCustomer` / `IsSupplier` follow from the documents a contact has; that
    /// is not an edit of the contact, so its `UpdatedDateUTC` stays.
    func markContact(_ contactID: String, receivable: Bool) {
        guard let id = UUID(uuidString: contactID), var contact = contacts[id] else { return }
        if receivable, !contact.IsCustomer { contact.IsCustomer = true } else if !receivable, !contact.IsSupplier { contact.IsSupplier = true } else { return }
        contacts.put(contact, touch: false)
    }

    /// Whether a document line uses the account code or the tax type.
    func documentsUse(accountCode: String? = nil, taxType: String? = nil) -> Bool {
        func uses(_ line: XeroLineItem) -> Bool {
            (accountCode != nil && line.AccountCode == accountCode) || (taxType != nil && line.TaxType == taxType)
        }
        return invoices.all.contains { $0.lineItems.contains(where: uses) } || creditNotes.all.contains { $0.lineItems.contains(where: uses) }
    }
}
