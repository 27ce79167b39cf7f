import Foundation

/// `/Invoices` and `/CreditNotes`: GET list (paged; IDs, numbers, ContactIDs,
/// Statuses, createdByMyApp, where/order, If-Modified-Since), GET by id (or
/// number), PUT (create), POST (create or update, matched by id, then by the
/// number of a sales document), `POST /<Collection>/{id}`. No DELETE: a
/// document is deleted or voided through its Status.
extension XeroBooks {
    func listDocuments<K: XeroDocumentKind>(_ kind: K.Type, _ request: SandboxRequest, clientID: String?) -> SandboxResponse {
        func list(_ name: String) -> [String]? {
            request.query.value(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        let ids = list("IDs").map { Set($0.compactMap(UUID.init(uuidString:))) }
        let numbers = list(K.numberField + "s").map { Set($0) }
        let contactIDs = list("ContactIDs").map { Set($0.compactMap(UUID.init(uuidString:)).map { $0.uuidString.lowercased() }) }
        let statuses = list("Statuses").map { Set($0.map { $0.uppercased() }) }
        let mine = request.query.value("createdByMyApp")?.lowercased() == "true"
        let places = XeroJSON.unitPlaces(request)
        // A paged list carries line items; an unpaged one leaves them out.
        let paged = request.query.value("page") != nil
        let render: ((XeroDocument<K>) -> [UInt8])? = paged && places == 2 ? nil : { document in
            var copy = document
            if !paged { copy.lineItems = [] }
            return XeroJSON.encode(copy, unitPlaces: places)
        }
        return self.list(documents(K.self), request, pageable: true, { document in
            (ids?.contains(document.documentID) ?? true)
                && (numbers.map { document.number.map($0.contains) ?? false } ?? true)
                && (contactIDs?.contains(document.contact.ContactID) ?? true)
                && (statuses?.contains(document.status) ?? true)
                && (!mine || document.createdBy == clientID)
        }, render: render)
    }

    func getDocument<K: XeroDocumentKind>(_ kind: K.Type, _ key: String, _ request: SandboxRequest) -> SandboxResponse {
        guard let document = findDocument(K.self, key) else { return XeroProblem.notFound() }
        let places = XeroJSON.unitPlaces(request)
        let json = places == 2 ? documents(K.self).json(document.documentID)! : XeroJSON.encode(document, unitPlaces: places)
        return .json(200, XeroEnvelope.list(K.collection, [json], providerName: providerName))
    }

    /// By id or, as older documentation has it, by number: told apart by GUID syntax.
    func findDocument<K: XeroDocumentKind>(_ kind: K.Type, _ key: String) -> XeroDocument<K>? {
        let table = documents(K.self)
        return UUID(uuidString: key).flatMap { table[$0] } ?? table.first(key: key) { $0.number == key }
    }

    func saveDocuments<K: XeroDocumentKind>(_ kind: K.Type, _ request: SandboxRequest, createOnly: Bool, pathKey: String? = nil,
                                            clientID: String?) -> SandboxResponse {
        var pathID: UUID?
        if let pathKey {
            guard let found = findDocument(K.self, pathKey) else { return XeroProblem.notFound() }
            pathID = found.documentID
        }
        let batch = XeroBatch(collection: K.collection, idField: K.idField, errorFlag: "HasErrors")
        guard var elements = batch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with a \(K.collection) array")
        }
        if pathID != nil { elements = Array(elements.prefix(1)) }
        let places = XeroJSON.unitPlaces(request)
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            let outcome = saveDocument(K.self, element, createOnly: createOnly, pathID: pathID, places: places, clientID: clientID)
            // Xero cannot bind a Type outside its enum, so it does not echo one (the spec's enum would refuse it).
            var echo = element
            if case .failed = outcome, let type = echo["Type"] as? String, type != K.receivable, type != K.payable { echo["Type"] = nil }
            return (echo, outcome)
        }
        return batch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func saveDocument<K: XeroDocumentKind>(_ kind: K.Type, _ element: [String: Any], createOnly: Bool, pathID: UUID?,
                                                   places: Int, clientID: String?) -> XeroBatch.Outcome {
        let input: XeroDocumentInput
        do {
            input = try XeroJSON.decode(XeroDocumentInput.self, element: element, unitPlaces: places)
        } catch {
            return .failed(messages: ["The \(K.noun.lowercased()) could not be read: \(XeroJSON.describe(error))"])
        }
        // The table is read through temporaries, never held in a local: a copy alive
        // across `putDocument` would make that write copy the whole table.
        let givenID = pathID ?? (K.collection == InvoiceKind.collection ? input.InvoiceID : input.CreditNoteID)
        var existing = givenID.flatMap { documents(K.self)[$0] }
        if createOnly, existing != nil {
            return .failed(messages: ["A \(K.noun.lowercased()) with this \(K.idField) already exists; use POST to update it."])
        }
        if !createOnly, existing == nil, let givenID {
            return .failed(messages: ["\(K.noun) not found: \(givenID.uuidString.lowercased())"])
        }
        let number = K.collection == InvoiceKind.collection ? input.InvoiceNumber : input.CreditNoteNumber
        if !createOnly, existing == nil, let number, !number.isEmpty, (input.Type ?? K.receivable) == K.receivable {
            existing = documents(K.self).first(key: number) { $0.type == K.receivable && $0.number == number }
        }
        var document: XeroDocument<K>
        switch buildDocument(input, existing: existing, id: existing?.documentID ?? UUID(), places: places) {
        case .failure(let problems): return .failed(messages: problems.messages)
        case .success(let built): document = built
        }
        if document.isReceivable {
            if document.number == nil { document.number = nextNumber(K.self) }
            if let number = document.number,
               documents(K.self).first(key: number, where: { $0.documentID != document.documentID && $0.type == K.receivable }) != nil {
                return .failed(messages: ["\(K.collection == InvoiceKind.collection ? "Invoice" : "Credit Note") # must be unique."])
            }
        }
        if existing == nil { document.createdBy = clientID }
        let unchanged = existing.map { XeroJSON.sameContent($0, document) } ?? false
        if !unchanged { putDocument(document) }
        markContact(document.contact.ContactID, receivable: document.isReceivable)
        let json = places == 2 ? documents(K.self).json(document.documentID)! : XeroJSON.encode(documents(K.self)[document.documentID]!, unitPlaces: places)
        return .saved(json: json)
    }

    /// `INV-0001`, `CN-0001`…: one more than the highest number of that form in use.
    private func nextNumber<K: XeroDocumentKind>(_ kind: K.Type) -> String {
        let used = documents(K.self).all.compactMap { document -> Int? in
            guard document.type == K.receivable, let number = document.number, number.hasPrefix(K.numberPrefix) else { return nil }
            return Int(number.dropFirst(K.numberPrefix.count))
        }
        let next = String((used.max() ?? 0) + 1)
        return K.numberPrefix + String(repeating: "0", count: max(0, 4 - next.count)) + next
    }
}
