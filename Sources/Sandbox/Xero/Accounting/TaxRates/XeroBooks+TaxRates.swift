import Foundation

/// `/TaxRates`: GET (where/order only: the spec gives this list no
/// If-Modified-Since, so the header is ignored), `GET /TaxRates/{TaxType}`,
/// PUT creates (`TAX001`, `TAX002`…), POST updates — deleting is `Status: DELETED`.
extension XeroBooks {
    static let taxRateBatch = XeroBatch(collection: XeroTaxRate.collection, idField: nil, errorFlag: nil)
    static let writableTaxRateStatuses: Set<String> = ["ACTIVE", "ARCHIVED", "DELETED"]

    func listTaxRates(_ request: SandboxRequest) -> SandboxResponse {
        list(taxRates, request, pageable: false, supportsIfModifiedSince: false)
    }

    func getTaxRate(_ taxType: String) -> SandboxResponse {
        guard let rate = taxRate(taxType), let json = taxRates.json(rate.id) else { return XeroProblem.notFound() }
        return .json(200, XeroEnvelope.list(XeroTaxRate.collection, [json], providerName: providerName))
    }

    func saveTaxRates(_ request: SandboxRequest, createOnly: Bool) -> SandboxResponse {
        guard let elements = Self.taxRateBatch.elements(of: request.body) else {
            return XeroValidation.postDataInvalid("The request body must be a JSON object with a TaxRates array")
        }
        let outcomes = elements.map { element in (element, saveTaxRate(element, createOnly: createOnly)) }
        // The spec gives TaxRates no summarizeErrors: failures always make a 400.
        return Self.taxRateBatch.response(outcomes, summarizeErrors: true, providerName: providerName)
    }

    /// The rate with this TaxType, whatever its status.
    func taxRate(_ taxType: String) -> XeroTaxRate? {
        taxRates.first { $0.TaxType == taxType }
    }

    /// Whether an account of this class may carry the tax type: it exists, is
    /// active, and its `CanApplyTo…` flag for the class is set.
    func taxRate(_ taxType: String, canApplyTo accountClass: String) -> Bool {
        guard let rate = taxRate(taxType), rate.Status == "ACTIVE" else { return false }
        return rate.applicable.allows(accountClass: accountClass)
    }

    /// The tax type an account gets when the client names none.
    func defaultTaxType(accountClass: String) -> String {
        switch accountClass {
        case "REVENUE": XeroNewOrganisation.salesTaxType
        case "EXPENSE": XeroNewOrganisation.purchasesTaxType
        default: XeroNewOrganisation.noTaxType
        }
    }

    private func saveTaxRate(_ element: [String: Any], createOnly: Bool) -> XeroBatch.Outcome {
        let input: XeroTaxRateInput
        do {
            input = try XeroJSON.decode(XeroTaxRateInput.self, element: element)
        } catch {
            return .failed(messages: ["The tax rate could not be read: \(XeroJSON.describe(error))"])
        }
        let name = input.Name?.trimmingCharacters(in: .whitespaces)
        // PUT always creates (the spec: TaxType "can only be used on update calls");
        // POST finds the rate by TaxType, else by Name, else creates it.
        var existing: XeroTaxRate?
        if !createOnly {
            if let taxType = input.TaxType, !taxType.isEmpty {
                guard let found = taxRate(taxType) else { return .failed(messages: ["No tax rate has the TaxType \(taxType)."]) }
                existing = found
            } else if let name {
                existing = taxRates.first { $0.Status != "DELETED" && $0.Name.lowercased() == name.lowercased() }
            }
        }
        var rate = existing ?? XeroTaxRate(name: "", taxType: nextTaxType(), reportTaxType: nil, components: [])
        var messages: [String] = []
        if let existing {
            if existing.Status == "DELETED" { return .failed(messages: ["A deleted tax rate cannot be changed."]) }
            if existing.isSystem, input.TaxComponents != nil || input.ReportTaxType.map({ $0 != existing.ReportTaxType }) == true
                || input.Status.map({ $0 != existing.Status }) == true {
                messages.append("Only the name of a system tax rate can be changed.")
            }
        }
        if let name { rate.Name = name }
        if let reportTaxType = input.ReportTaxType {
            rate.ReportTaxType = reportTaxType
            if !rate.isSystem { rate.applicable = .of(reportTaxType: reportTaxType) }
        }
        if let components = input.TaxComponents {
            var read: [XeroTaxRate.Component] = []
            for component in components {
                let componentName = component.Name?.trimmingCharacters(in: .whitespaces) ?? ""
                if componentName.isEmpty { messages.append("Each tax component needs a Name.") }
                guard let rateValue = component.Rate else {
                    messages.append("Each tax component needs a Rate.")
                    continue
                }
                if rateValue.value < 0 || rateValue.value > 100 { messages.append("A tax component's Rate must be between 0 and 100.") }
                read.append(.init(Name: componentName, Rate: rateValue, IsCompound: component.IsCompound ?? false,
                                  IsNonRecoverable: component.IsNonRecoverable ?? false))
            }
            rate.TaxComponents = read
        }
        if existing == nil {
            rate.Status = "ACTIVE"
        } else if let status = input.Status, !rate.isSystem {
            if !Self.writableTaxRateStatuses.contains(status) {
                messages.append("Status must be ACTIVE, ARCHIVED or DELETED.")
            } else if status == "DELETED", taxTypeIsUsed(rate.TaxType) {
                messages.append("The tax rate \(rate.Name) is used by accounts or items and cannot be deleted. Archive it instead.")
            } else {
                rate.Status = status
            }
        }

        if rate.Name.isEmpty { messages.append("Please enter a Name for the tax rate.") }
        if !rate.Name.isEmpty, taxRates.contains(where: { $0.id != rate.id && $0.Status != "DELETED" && $0.Name.lowercased() == rate.Name.lowercased() }) {
            messages.append("A tax rate with the name \(rate.Name) already exists.")
        }
        // (Components that could not be read have said so already.)
        if input.TaxComponents.map(\.isEmpty) ?? rate.TaxComponents.isEmpty { messages.append("A tax rate needs at least one tax component.") }
        // An NZ organisation files GST returns: every rate must say where it is reported.
        if rate.ReportTaxType == nil {
            messages.append("ReportTaxType is required.")
        } else if let type = rate.ReportTaxType, !XeroTaxRate.reportTaxTypes.contains(type) {
            messages.append("\(type) is not a valid ReportTaxType.")
        }
        guard messages.isEmpty else { return .failed(messages: messages) }
        rate.deriveRates()
        taxRates.put(rate)
        return .saved(json: taxRates.json(rate.id)!)
    }

    /// User rates are numbered `TAX001`, `TAX002`… in creation order.
    private func nextTaxType() -> String {
        let used = taxRates.all.compactMap { $0.TaxType.hasPrefix("TAX") ? Int($0.TaxType.dropFirst(3)) : nil }
        let next = (used.max() ?? 0) + 1
        return "TAX" + String(repeating: "0", count: max(0, 3 - String(next).count)) + String(next)
    }

    /// Whether an account or an item refers to the tax type. Documents add their checks here.
    func taxTypeIsUsed(_ taxType: String) -> Bool {
        accounts.all.contains { $0.TaxType == taxType && $0.Status != "DELETED" }
            || items.all.contains { $0.SalesDetails.TaxType == taxType || $0.PurchaseDetails.TaxType == taxType }
            || documentsUse(taxType: taxType)
    }
}
