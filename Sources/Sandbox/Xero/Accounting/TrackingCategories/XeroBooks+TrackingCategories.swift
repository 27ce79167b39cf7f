import Foundation

/// `/TrackingCategories` and their `/Options`. GET (where/order/includeArchived;
/// neither paged nor If-Modified-Since), PUT and POST take one object
/// (`{Name, Status}`), DELETE answers with the record `DELETED`. An
/// organisation may have 2 active categories and 4 in all ([TRACK]).
extension XeroBooks {
    static let categoryBatch = XeroBatch(collection: XeroTrackingCategory.collection, idField: "TrackingCategoryID", errorFlag: nil)
    static let optionBatch = XeroBatch(collection: "Options", idField: "TrackingOptionID", errorFlag: nil)
    static let maxActiveCategories = 2
    static let maxCategories = 4

    func listTrackingCategories(_ request: SandboxRequest) -> SandboxResponse {
        let includeArchived = request.query.value("includeArchived")?.lowercased() == "true"
        return list(trackingCategories, request, pageable: false, supportsIfModifiedSince: false, { category in
            category.Status == "ACTIVE" || includeArchived && category.Status == "ARCHIVED"
        }, render: includeArchived ? nil : { XeroJSON.encode($0.withoutArchivedOptions) })
    }

    /// A deleted category still answers here, `Status: DELETED` (the spec's example).
    func getTrackingCategory(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let json = trackingCategories.json(id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroTrackingCategory.collection, [json], providerName: providerName))
    }

    /// `PUT /TrackingCategories` (key nil) or `POST /TrackingCategories/{id}`.
    func saveTrackingCategory(_ request: SandboxRequest, key: String?) -> SandboxResponse {
        var existing: XeroTrackingCategory?
        if let key {
            guard let id = UUID(uuidString: key), let found = trackingCategories[id], found.Status != "DELETED" else { return XeroProblem.notFound() }
            existing = found
        }
        guard let (element, input) = Self.trackingInput(request) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON TrackingCategory object")
        }
        var category = existing ?? XeroTrackingCategory(id: UUID(), name: "")
        if let name = input.Name { category.Name = name.trimmingCharacters(in: .whitespaces) }
        var messages = Self.nameProblems(category.Name, what: "tracking category")
        let others = trackingCategories.all.filter { $0.TrackingCategoryID != category.TrackingCategoryID && $0.Status != "DELETED" }
        if others.contains(where: { $0.Name.lowercased() == category.Name.lowercased() }) {
            messages.append("A tracking category named \(category.Name) already exists.")
        }
        if let status = input.Status, existing != nil {
            if status == "ACTIVE" || status == "ARCHIVED" { category.Status = status } else {
                messages.append("Status must be ACTIVE or ARCHIVED; delete a tracking category with DELETE.")
            }
        }
        if category.Status == "ACTIVE", existing?.Status != "ACTIVE",
           others.filter({ $0.Status == "ACTIVE" }).count >= Self.maxActiveCategories {
            messages.append("An organisation can have only \(Self.maxActiveCategories) active tracking categories.")
        }
        if existing == nil, others.count >= Self.maxCategories {
            messages.append("An organisation can have only \(Self.maxCategories) tracking categories, active and archived.")
        }
        guard messages.isEmpty else {
            return Self.categoryBatch.response([(element, .failed(messages: messages))], summarizeErrors: true, providerName: providerName)
        }
        trackingCategories.put(category)
        return .json(200, XeroEnvelope.list(XeroTrackingCategory.collection, [trackingCategories.json(category.id)!], providerName: providerName))
    }

    /// Categories used on documents cannot be deleted (archive them); documents add that check here.
    func deleteTrackingCategory(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), var category = trackingCategories[id], category.Status != "DELETED" else { return XeroProblem.notFound() }
        category.Status = "DELETED"
        trackingCategories.put(category)
        return .json(200, XeroEnvelope.list(XeroTrackingCategory.collection, [trackingCategories.json(id)!], providerName: providerName))
    }

    /// `PUT /TrackingCategories/{id}/Options` (optionKey nil) or `POST …/Options/{TrackingOptionID}`.
    func saveTrackingOption(_ request: SandboxRequest, categoryKey: String, optionKey: String?) -> SandboxResponse {
        guard let categoryID = UUID(uuidString: categoryKey), var category = trackingCategories[categoryID], category.Status != "DELETED" else {
            return XeroProblem.notFound()
        }
        var index: Int?
        if let optionKey {
            guard let optionID = UUID(uuidString: optionKey), let found = category.Options.firstIndex(where: { $0.TrackingOptionID == optionID }) else {
                return XeroProblem.notFound()
            }
            index = found
        }
        guard let (element, input) = Self.trackingInput(request) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON TrackingOption object")
        }
        var option = index.map { category.Options[$0] } ?? .init(id: UUID(), name: "")
        if let name = input.Name { option.Name = name.trimmingCharacters(in: .whitespaces) }
        var messages = Self.nameProblems(option.Name, what: "tracking option")
        if category.Options.contains(where: { $0.TrackingOptionID != option.TrackingOptionID && $0.Name.lowercased() == option.Name.lowercased() }) {
            messages.append("The tracking category \(category.Name) already has an option named \(option.Name).")
        }
        if let status = input.Status, index != nil {
            if status == "ACTIVE" || status == "ARCHIVED" { option.Status = status } else {
                messages.append("Status must be ACTIVE or ARCHIVED; delete a tracking option with DELETE.")
            }
        }
        guard messages.isEmpty else {
            return Self.optionBatch.response([(element, .failed(messages: messages))], summarizeErrors: true, providerName: providerName)
        }
        if let index { category.Options[index] = option } else { category.Options.append(option) }
        trackingCategories.put(category)
        return .json(200, XeroEnvelope.list("Options", [XeroJSON.encode(option)], providerName: providerName))
    }

    /// Answers with the option `DELETED` (the spec's example) and drops it from its category.
    func deleteTrackingOption(categoryKey: String, optionKey: String) -> SandboxResponse {
        guard let categoryID = UUID(uuidString: categoryKey), var category = trackingCategories[categoryID], category.Status != "DELETED",
              let optionID = UUID(uuidString: optionKey),
              let index = category.Options.firstIndex(where: { $0.TrackingOptionID == optionID }) else { return XeroProblem.notFound() }
        var option = category.Options.remove(at: index)
        option.Status = "DELETED"
        trackingCategories.put(category)
        return .json(200, XeroEnvelope.list("Options", [XeroJSON.encode(option)], providerName: providerName))
    }

    private static func trackingInput(_ request: SandboxRequest) -> ([String: Any], XeroTrackingInput)? {
        guard let element = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let input = try? XeroJSON.decode(XeroTrackingInput.self, element: element) else { return nil }
        return (element, input)
    }

    private static func nameProblems(_ name: String, what: String) -> [String] {
        if name.isEmpty { return ["Please enter a Name for the \(what)."] }
        if name.count > 100 { return ["The \(what) Name must be 100 characters or fewer."] }
        return []
    }
}
