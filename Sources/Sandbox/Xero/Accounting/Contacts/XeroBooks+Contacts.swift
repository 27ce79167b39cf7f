import Foundation

/// `/Contacts`: list (paged, filters), get by ContactID or ContactNumber, PUT
/// (create) and POST (create or update), no DELETE — archive instead.
extension XeroBooks {
    static let contactStatuses: Set<String> = ["ACTIVE", "ARCHIVED", "GDPRREQUEST"]
    static let defaultLineAmountTypes: Set<String> = ["INCLUSIVE", "EXCLUSIVE", "NONE"]

    func listContacts(_ request: SandboxRequest) -> SandboxResponse {
        let includeArchived = request.query.value("includeArchived")?.lowercased() == "true"
        var ids: Set<UUID>?
        if let raw = request.query.value("IDs") {
            ids = Set(raw.split(separator: ",").compactMap { UUID(uuidString: $0.trimmingCharacters(in: .whitespaces)) })
        }
        let search = request.query.value("searchTerm")?.lowercased()
        return list(contacts, request, pageable: true) { contact in
            (includeArchived || contact.ContactStatus != "ARCHIVED" || ids != nil)
                && (ids?.contains(contact.ContactID) ?? true)
                && (search.map { term in
                    [contact.Name, contact.FirstName, contact.LastName, contact.ContactNumber, contact.CompanyNumber, contact.EmailAddress]
                        .contains { $0?.lowercased().contains(term) == true }
                } ?? true)
        }
    }

    /// `GET /Contacts/{ContactID}` or `/Contacts/{ContactNumber}`: told apart by GUID syntax.
    func getContact(_ key: String) -> SandboxResponse {
        let found = UUID(uuidString: key).flatMap { contacts[$0] } ?? contacts.first { $0.ContactNumber == key }
        guard let found, let json = contacts.json(found.id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroContact.collection, [json], providerName: providerName))
    }

    func saveContacts(_ request: SandboxRequest, createOnly: Bool, pathID: UUID? = nil) -> SandboxResponse {
        let batch = XeroBatch(collection: XeroContact.collection, idField: "ContactID", errorFlag: "HasValidationErrors")
        guard let elements = batch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with a Contacts array")
        }
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            (element, saveContact(element, createOnly: createOnly, pathID: pathID))
        }
        return batch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func saveContact(_ element: [String: Any], createOnly: Bool, pathID: UUID?) -> XeroBatch.Outcome {
        let input: XeroContactInput
        do {
            input = try XeroJSON.decode(XeroContactInput.self, from: Array(try JSONSerialization.data(withJSONObject: element)))
        } catch {
            return .failed(messages: ["The contact could not be read: \(XeroJSON.describe(error))"])
        }
        // POST matches an existing contact by ContactID, then ContactNumber; PUT only creates.
        var existing = (pathID ?? input.ContactID).flatMap { contacts[$0] }
        if existing == nil, !createOnly, let number = input.ContactNumber, !number.isEmpty {
            existing = contacts.first { $0.ContactNumber == number }
        }
        if createOnly, existing != nil || (input.ContactID.map { contacts[$0] != nil } ?? false) {
            return .failed(messages: ["A contact with this ContactID already exists; use POST to update it."])
        }
        if existing == nil, let id = pathID ?? input.ContactID, !createOnly, contacts[id] == nil {
            return .failed(messages: ["Contact not found: \(id.uuidString.lowercased())"])
        }
        var contact = existing ?? XeroContact(
            ContactID: UUID(), ContactStatus: "ACTIVE", Name: "", Addresses: [], Phones: [], IsSupplier: false, IsCustomer: false,
            ContactGroups: [], HasAttachments: false, HasValidationErrors: false)
        apply(input, to: &contact)
        var messages: [String] = []
        let name = contact.Name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { messages.append("The contact name must be specified.") }
        if name.count > 255 { messages.append("The contact name must be 255 characters or fewer.") }
        if (contact.ContactNumber?.count ?? 0) > 50 { messages.append("The ContactNumber must be 50 characters or fewer.") }
        if !Self.contactStatuses.contains(contact.ContactStatus) { messages.append("ContactStatus must be ACTIVE, ARCHIVED or GDPRREQUEST.") }
        for type in [contact.SalesDefaultLineAmountType, contact.PurchasesDefaultLineAmountType].compactMap({ $0 })
            where !Self.defaultLineAmountTypes.contains(type) {
            messages.append("Default line amount types must be INCLUSIVE, EXCLUSIVE or NONE.")
        }
        if contact.ContactStatus == "ACTIVE",
           contacts.contains(where: { $0.ContactID != contact.ContactID && $0.ContactStatus == "ACTIVE" && $0.Name.lowercased() == name.lowercased() }) {
            messages.append("The contact name \(name) is already assigned to another contact. The contact name must be unique across all active contacts.")
        }
        if let number = contact.ContactNumber, !number.isEmpty,
           contacts.contains(where: { $0.ContactID != contact.ContactID && $0.ContactNumber == number }) {
            messages.append("The contact number \(number) is already assigned to another contact.")
        }
        guard messages.isEmpty else { return .failed(messages: messages) }
        contact.Name = name
        contacts.put(contact)
        return .saved(json: contacts.json(contact.ContactID)!)
    }

    private func apply(_ input: XeroContactInput, to contact: inout XeroContact) {
        if let v = input.Name { contact.Name = v }
        if let v = input.ContactNumber { contact.ContactNumber = v }
        if let v = input.AccountNumber { contact.AccountNumber = v }
        if let v = input.ContactStatus { contact.ContactStatus = v }
        if let v = input.FirstName { contact.FirstName = v }
        if let v = input.LastName { contact.LastName = v }
        if let v = input.CompanyNumber { contact.CompanyNumber = v }
        if let v = input.EmailAddress { contact.EmailAddress = v }
        if let v = input.BankAccountDetails { contact.BankAccountDetails = v }
        if let v = input.TaxNumber { contact.TaxNumber = v }
        if let v = input.AccountsReceivableTaxType { contact.AccountsReceivableTaxType = v }
        if let v = input.AccountsPayableTaxType { contact.AccountsPayableTaxType = v }
        if let v = input.Addresses { contact.Addresses = v }
        if let v = input.Phones { contact.Phones = v }
        if let v = input.SalesDefaultLineAmountType { contact.SalesDefaultLineAmountType = v }
        if let v = input.PurchasesDefaultLineAmountType { contact.PurchasesDefaultLineAmountType = v }
        if let v = input.DefaultCurrency { contact.DefaultCurrency = v }
        if let v = input.SalesDefaultAccountCode { contact.SalesDefaultAccountCode = v }
        if let v = input.PurchasesDefaultAccountCode { contact.PurchasesDefaultAccountCode = v }
    }
}
