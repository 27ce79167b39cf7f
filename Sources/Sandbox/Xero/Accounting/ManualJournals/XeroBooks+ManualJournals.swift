import Foundation

/// `/ManualJournals`: GET list (paged, where/order, If-Modified-Since), GET by
/// id, PUT (create), POST (create, or update when the element names an
/// existing ManualJournalID), `POST /ManualJournals/{id}`. No DELETE verb: a
/// draft is deleted and a posted journal voided through its Status.
extension XeroBooks {
    static let manualJournalBatch = XeroBatch(collection: XeroManualJournal.collection, idField: "ManualJournalID", errorFlag: nil)

    func listManualJournals(_ request: SandboxRequest) -> SandboxResponse {
        // Only a paged list carries the journal lines (the spec's unpaged example has
        // `"JournalLines": []`; the page parameter promises "line items shown").
        let paged = request.query.value("page") != nil
        let render: ((XeroManualJournal) -> [UInt8])? = paged ? nil : { journal in
            var copy = journal
            copy.JournalLines = []
            return XeroJSON.encode(copy)
        }
        return list(manualJournals, request, pageable: true, render: render)
    }

    func getManualJournal(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let json = manualJournals.json(id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroManualJournal.collection, [json], providerName: providerName))
    }

    func saveManualJournals(_ request: SandboxRequest, createOnly: Bool, pathKey: String? = nil) -> SandboxResponse {
        var pathID: UUID?
        if let pathKey {
            guard let id = UUID(uuidString: pathKey), manualJournals[id] != nil else { return XeroProblem.notFound() }
            pathID = id
        }
        let batch = Self.manualJournalBatch
        guard var elements = batch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with a ManualJournals array")
        }
        if pathID != nil { elements = Array(elements.prefix(1)) }
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            let outcome = saveManualJournal(element, createOnly: createOnly, pathID: pathID)
            // A Status outside the spec's enum is not echoed: the SDK's enum would refuse the answer.
            var echo = element
            if case .failed = outcome, let status = echo["Status"] as? String,
               !(XeroManualJournal.statuses.contains(status) || status == "ARCHIVED") { echo["Status"] = nil }
            return (echo, outcome)
        }
        return batch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    private func saveManualJournal(_ element: [String: Any], createOnly: Bool, pathID: UUID?) -> XeroBatch.Outcome {
        let input: XeroManualJournalInput
        do {
            input = try XeroJSON.decode(XeroManualJournalInput.self, element: element)
        } catch {
            return .failed(messages: ["The manual journal could not be read: \(XeroJSON.describe(error))"])
        }
        let givenID = pathID ?? input.ManualJournalID
        let existing = givenID.flatMap { manualJournals[$0] }
        if createOnly, existing != nil {
            return .failed(messages: ["A manual journal with this ManualJournalID already exists; use POST to update it."])
        }
        if !createOnly, existing == nil, let givenID {
            return .failed(messages: ["Manual journal not found: \(givenID.uuidString.lowercased())"])
        }
        switch buildManualJournal(input, existing: existing, id: existing?.ManualJournalID ?? UUID()) {
        case .failure(let problems):
            return .failed(messages: problems.messages)
        case .success(let journal):
            if existing != journal { manualJournals.put(journal) }
            return .saved(json: manualJournals.json(journal.ManualJournalID)!)
        }
    }
}
