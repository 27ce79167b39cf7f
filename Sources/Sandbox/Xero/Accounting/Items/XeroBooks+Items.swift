import Foundation

/// `/Items`: GET (where/order/If-Modified-Since, not paged), get by ItemID or
/// Code, PUT (create), POST (create or update, matched by ItemID then Code),
/// `POST /Items/{ItemID}`, DELETE (204). Unit prices have two places unless
/// the request says `unitdp=4`.
extension XeroBooks {
    static let itemBatch = XeroBatch(collection: XeroItem.collection, idField: "ItemID", errorFlag: nil)

    func listItems(_ request: SandboxRequest) -> SandboxResponse {
        let places = XeroJSON.unitPlaces(request)
        return list(items, request, pageable: false, render: places == 4 ? { XeroJSON.encode($0, unitPlaces: 4) } : nil)
    }

    /// `GET /Items/{ItemID}`, or `/Items/{Code}` as older documentation has it: told apart by GUID syntax.
    func getItem(_ key: String, _ request: SandboxRequest) -> SandboxResponse {
        guard let item = UUID(uuidString: key).flatMap({ items[$0] }) ?? items.first(where: { $0.Code == key }) else {
            return XeroProblem.notFound()
        }
        let json = XeroJSON.encode(item, unitPlaces: XeroJSON.unitPlaces(request))
        return .json(200, XeroEnvelope.list(XeroItem.collection, [json], providerName: providerName))
    }

    func saveItems(_ request: SandboxRequest, createOnly: Bool, pathKey: String? = nil) -> SandboxResponse {
        var pathID: UUID?
        if let pathKey {
            guard let id = UUID(uuidString: pathKey), items[id] != nil else { return XeroProblem.notFound() }
            pathID = id
        }
        guard var elements = Self.itemBatch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with an Items array")
        }
        if pathID != nil { elements = Array(elements.prefix(1)) }
        let places = XeroJSON.unitPlaces(request)
        let outcomes = elements.map { element -> (input: [String: Any], outcome: XeroBatch.Outcome) in
            let outcome = saveItem(element, createOnly: createOnly, pathID: pathID, places: places)
            // `Code` is required in the Item schema: the SDK cannot read an echo without it.
            var echo = element
            if case .failed = outcome, echo["Code"] == nil { echo["Code"] = "" }
            return (echo, outcome)
        }
        return Self.itemBatch.response(outcomes, summarizeErrors: XeroBatch.summarizeErrors(request), providerName: providerName)
    }

    func deleteItem(_ key: String) -> SandboxResponse {
        guard let id = UUID(uuidString: key), let item = items[id] else { return XeroProblem.notFound() }
        if let quantity = item.QuantityOnHand, quantity.value != 0 {
            var element = (try? JSONSerialization.jsonObject(with: Data(items.json(id) ?? []))) as? [String: Any] ?? [:]
            element["ValidationErrors"] = [["Message": "A tracked item with stock on hand cannot be deleted."]]
            return XeroValidation.exception(elements: [element])
        }
        items.remove(id)
        return .empty(204)
    }

    func itemsUsing(accountCode code: String) -> Bool {
        items.all.contains { $0.accountCodes.contains(code) }
    }

    /// Xero refers to accounts by id and shows their current code: a recoded
    /// account shows its new code on items. That is not an edit of the item,
    /// so `UpdatedDateUTC` stays.
    func accountCodeChanged(from old: String, to new: String) {
        for var item in items.all where item.accountCodes.contains(old) {
            if item.SalesDetails.AccountCode == old { item.SalesDetails.AccountCode = new }
            if item.PurchaseDetails.AccountCode == old { item.PurchaseDetails.AccountCode = new }
            if item.PurchaseDetails.COGSAccountCode == old { item.PurchaseDetails.COGSAccountCode = new }
            if item.InventoryAssetAccountCode == old { item.InventoryAssetAccountCode = new }
            items.put(item, touch: false)
        }
    }

    private func saveItem(_ element: [String: Any], createOnly: Bool, pathID: UUID?, places: Int) -> XeroBatch.Outcome {
        let input: XeroItemInput
        do {
            input = try XeroJSON.decode(XeroItemInput.self, element: element, unitPlaces: places)
        } catch {
            return .failed(messages: ["The item could not be read: \(XeroJSON.describe(error))"])
        }
        let code = input.Code?.trimmingCharacters(in: .whitespaces)
        var existing = (pathID ?? input.ItemID).flatMap { items[$0] }
        if let id = input.ItemID, pathID == nil, existing == nil, !createOnly {
            return .failed(messages: ["Item not found: \(id.uuidString.lowercased())"])
        }
        if createOnly, existing != nil { return .failed(messages: ["An item with this ItemID already exists; use POST to update it."]) }
        if existing == nil, !createOnly, let code, !code.isEmpty {
            existing = items.first(key: code)
        }
        var item = existing ?? XeroItem(id: UUID(), code: "")
        let wasTracked = item.IsTrackedAsInventory
        apply(input, code: code, to: &item)
        var messages = validate(&item, wasTracked: wasTracked)
        if item.Code.isEmpty { messages.insert("Please enter a Code for the item.", at: 0) }
        guard messages.isEmpty else { return .failed(messages: messages) }
        items.put(item)
        return .saved(json: XeroJSON.encode(items[item.ItemID]!, unitPlaces: places))
    }

    private func apply(_ input: XeroItemInput, code: String?, to item: inout XeroItem) {
        func cleared(_ text: String?) -> String? { text?.isEmpty == true ? nil : text }
        func merge(_ details: XeroItem.Details?, into current: inout XeroItem.Details) {
            guard let details else { return }
            if let value = details.UnitPrice { current.UnitPrice = value }
            if let value = details.AccountCode { current.AccountCode = cleared(value) }
            if let value = details.COGSAccountCode { current.COGSAccountCode = cleared(value) }
            if let value = details.TaxType { current.TaxType = cleared(value) }
        }
        if let code { item.Code = code }
        if let value = input.Name { item.Name = value }
        if let value = input.Description { item.Description = value }
        if let value = input.PurchaseDescription { item.PurchaseDescription = value }
        if let value = input.InventoryAssetAccountCode { item.InventoryAssetAccountCode = cleared(value) }
        if let value = input.IsSold { item.IsSold = value }
        if let value = input.IsPurchased { item.IsPurchased = value }
        merge(input.SalesDetails, into: &item.SalesDetails)
        merge(input.PurchaseDetails, into: &item.PurchaseDetails)
        // The spec: setting IsSold (IsPurchased) to false nulls the matching description and details.
        if !item.IsSold {
            item.Description = nil
            item.SalesDetails = .empty
        }
        if !item.IsPurchased {
            item.PurchaseDescription = nil
            item.PurchaseDetails = .empty
        }
    }

    /// Derives the tracking fields and returns what is wrong with the item.
    private func validate(_ item: inout XeroItem, wasTracked: Bool) -> [String] {
        var messages: [String] = []
        if item.Code.count > 30 { messages.append("Code must be 30 characters or fewer.") }
        if !item.Code.isEmpty, items.first(key: item.Code, where: { $0.ItemID != item.ItemID }) != nil {
            messages.append("Price List Item with Code '\(item.Code)' already exists")
        }
        if (item.Name?.count ?? 0) > 50 { messages.append("Name must be 50 characters or fewer.") }
        if (item.Description?.count ?? 0) > 4000 { messages.append("Description must be 4000 characters or fewer.") }
        if (item.PurchaseDescription?.count ?? 0) > 4000 { messages.append("PurchaseDescription must be 4000 characters or fewer.") }

        let tracked = item.InventoryAssetAccountCode != nil
        if tracked, item.PurchaseDetails.COGSAccountCode == nil {
            messages.append("A tracked inventory item needs a COGSAccountCode in PurchaseDetails (and IsPurchased true).")
        }
        if !tracked {
            // The spec: COGSAccountCode is "only applicable to the purchase details of tracked items".
            item.PurchaseDetails.COGSAccountCode = nil
        } else {
            // ...and AccountCode is "not applicable to the purchase details of tracked items".
            item.PurchaseDetails.AccountCode = nil
        }
        if wasTracked, !tracked, let quantity = item.QuantityOnHand, quantity.value != 0 {
            messages.append("An item with stock on hand cannot stop being tracked as inventory.")
        }
        item.IsTrackedAsInventory = tracked
        if tracked {
            item.QuantityOnHand = item.QuantityOnHand ?? XeroRate(0)
            item.TotalCostPool = item.TotalCostPool ?? XeroMoney(0)
            item.QuantityOnBackOrder = item.QuantityOnBackOrder ?? XeroRate(0)
            item.QuantityAvailable = XeroRate(item.QuantityOnHand!.value - item.QuantityOnBackOrder!.value)
        } else {
            item.QuantityOnHand = nil
            item.TotalCostPool = nil
            item.QuantityOnBackOrder = nil
            item.QuantityAvailable = nil
        }

        func check(_ code: String?, _ field: String, _ rule: (XeroAccount) -> String?) {
            guard let code else { return }
            guard let account = activeAccount(code: code) else {
                messages.append("The \(field) \(code) is not an active account code.")
                return
            }
            if account.Type == "BANK" {
                messages.append("The \(field) \(code) is a bank account, which items cannot use.")
            } else if let problem = rule(account) {
                messages.append(problem)
            }
        }
        check(item.SalesDetails.AccountCode, "SalesDetails.AccountCode") { _ in nil }
        check(item.PurchaseDetails.AccountCode, "PurchaseDetails.AccountCode") { _ in nil }
        check(item.PurchaseDetails.COGSAccountCode, "PurchaseDetails.COGSAccountCode") {
            $0.Class == "EXPENSE" ? nil : "The COGSAccountCode \($0.Code ?? "") must be an expense or direct costs account."
        }
        check(item.InventoryAssetAccountCode, "InventoryAssetAccountCode") {
            $0.Type == "INVENTORY" ? nil : "The InventoryAssetAccountCode \($0.Code ?? "") must be an account of type INVENTORY."
        }
        if let taxType = item.SalesDetails.TaxType, !taxRate(taxType, canApplyTo: "REVENUE") {
            messages.append("The TaxType \(taxType) in SalesDetails does not exist or cannot be used on sales.")
        }
        if let taxType = item.PurchaseDetails.TaxType, !taxRate(taxType, canApplyTo: "EXPENSE") {
            messages.append("The TaxType \(taxType) in PurchaseDetails does not exist or cannot be used on purchases.")
        }
        return messages
    }
}
