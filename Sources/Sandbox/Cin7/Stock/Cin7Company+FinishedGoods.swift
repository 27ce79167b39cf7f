import Foundation

/// `/finishedGoodsList`, `/finishedGoods` (GET by `TaskID`, POST, PUT, DELETE
/// `?ID=&Void=`), `/finishedGoods/order` and `/finishedGoods/pick` (POST moves
/// the task on). Components come from the product's bill of materials, or,
/// for a product without one, from the `OrderLines` the client sends.
extension Cin7Company {
    static let finishedGoodsKey = "FinishedGoods"

    func listFinishedGoods(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let status = Cin7Query.text(request, "Status")
        let search = Cin7Query.text(request, "Search")
        let (page, limit) = try Cin7Query.paging(request)
        let rows = finishedGoods.all.map(Cin7FinishedGoodsRow.init).filter { row in
            (status.map(row.Status.cin7Equals) ?? true)
                && (search.map { text in [row.AssemblyNumber, row.Location, row.Status, row.ProductName, row.ProductCode, row.BatchSN, row.Notes]
                        .contains { $0.cin7Contains(text) } } ?? true)
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.finishedGoodsKey, items, total: rows.count, page: page)
    }

    private func assembly(_ id: String?, _ field: String) throws(Cin7Failure) -> Cin7FinishedGoods {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let task = finishedGoods[id] else { throw .badRequest("Finished goods with specified \(field) not found.") }
        return task
    }

    func getFinishedGoods(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        finishedGoods.json(try assembly(Cin7Query.guid(request, "TaskID"), "TaskID").key) ?? []
    }

    func createFinishedGoods(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var check = Cin7Validation()
        let status = assemblyStatus(input.Status, allowed: Cin7FinishedGoods.steps, check: &check)
        let product = assembledProduct(input, check: &check)
        let location = taskLocation(id: input.LocationID, name: input.Location, check: &check)
        let wip = ledgerAccount(input.WIPAccount?.value, "WIPAccount", check: &check)
        let account = ledgerAccount(input.Account?.value, "Account", check: &check)
        let quantity = positiveQuantity(input.Quantity, check: &check)
        let wipDate = check.day(input.WIPDate, "WIPDate")
        check.check(status == "DRAFT" || wipDate != nil, "Required attribute WIPDate is not provided: it is required unless Status is DRAFT.")
        let completion = check.day(input.CompletionDate, "CompletionDate")
        check.check(status != "COMPLETED" || completion != nil, "Required attribute CompletionDate is not provided: it is required when Status is COMPLETED.")
        try check.finish()
        let now = stamp()
        var task = Cin7FinishedGoods(TaskID: newID(), AssemblyNumber: nextNumber("FG"), ProductID: product!.ID,
                                     ProductCode: product!.SKU, ProductName: product!.Name, LocationID: location!.id, Location: location!.name,
                                     WIPAccount: wip, WIPDate: wipDate, Account: account, Quantity: quantity,
                                     AssemblyInstructionURL: product!.AssemblyInstructionURL, CompletionDate: completion,
                                     BatchSN: input.BatchSN ?? "", ExpiryDate: check.day(input.ExpiryDate, "ExpiryDate"), Notes: input.Notes ?? "", _created: now)
        if input.OrderLines != nil || status != "DRAFT" { task.OrderLines = assemblyComponents(input.OrderLines, of: product!, quantity: quantity, check: &check) }
        try check.finish()
        try advance(&task, to: status)
        finishedGoods.put(task)
        return finishedGoods.json(task.key) ?? []
    }

    /// `PUT`: fields a status still allows (apib:2110), the others ignored as the blueprint says.
    func updateFinishedGoods(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var task = try assembly(input.ID ?? input.TaskID, "ID")
        guard task.Status != "COMPLETED" && task.Status != "VOIDED" else {
            throw .badRequest("Finished goods \(task.AssemblyNumber) is \(task.Status) and cannot be changed.")
        }
        var check = Cin7Validation()
        let draft = task.Status == "DRAFT"
        if draft, input.ProductID != nil || input.ProductCode != nil, let product = assembledProduct(input, check: &check) {
            (task.ProductID, task.ProductCode, task.ProductName) = (product.ID, product.SKU, product.Name)
        }
        if draft, input.LocationID != nil || input.Location != nil, let location = taskLocation(id: input.LocationID, name: input.Location, check: &check) {
            (task.LocationID, task.Location) = (location.id, location.name)
        }
        if draft, let code = input.Account?.value { task.Account = ledgerAccount(code, "Account", check: &check) }
        if ["DRAFT", "AUTHORISED"].contains(task.Status) {
            if let code = input.WIPAccount?.value { task.WIPAccount = ledgerAccount(code, "WIPAccount", check: &check) }
            if let day = check.day(input.WIPDate, "WIPDate") { task.WIPDate = day }
            if input.Quantity != nil {
                task.Quantity = positiveQuantity(input.Quantity, check: &check)
                task.OrderLines = rescaled(task.OrderLines, quantity: task.Quantity)
            }
        }
        if task.Status != "IN PROGRESS" || input.CompletionDate != nil {
            if let day = check.day(input.CompletionDate, "CompletionDate") { task.CompletionDate = day }
        }
        if let v = input.BatchSN { task.BatchSN = v }
        if let v = input.Notes { task.Notes = v }
        try check.finish()
        finishedGoods.put(task)
        return finishedGoods.json(task.key) ?? []
    }

    /// `POST /finishedGoods/order`: the components, while DRAFT or AUTHORISED; `Status` DRAFT or AUTHORISED.
    func postFinishedGoodsOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var task = try assembly(input.TaskID, "TaskID")
        guard ["DRAFT", "AUTHORISED"].contains(task.Status) else {
            throw .badRequest("Finished goods \(task.AssemblyNumber) is \(task.Status): its order can be changed while DRAFT or AUTHORISED.")
        }
        var check = Cin7Validation()
        let status = assemblyStatus(input.Status, allowed: ["DRAFT", "AUTHORISED"], check: &check)
        task.OrderLines = assemblyComponents(input.OrderLines, of: products[task.ProductID]!, quantity: task.Quantity, check: &check)
        check.check(status != "AUTHORISED" || task.WIPDate != nil, "Required attribute WIPDate is not provided: set it (PUT) before authorising.")
        try check.finish()
        task.Status = status
        finishedGoods.put(task)
        return finishedGoods.json(task.key) ?? []
    }

    /// `POST /finishedGoods/pick`: IN PROGRESS picks the components, COMPLETED also produces the assembly.
    func postFinishedGoodsPick(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var task = try assembly(input.TaskID, "TaskID")
        guard ["AUTHORISED", "IN PROGRESS"].contains(task.Status) else {
            throw .badRequest("Finished goods \(task.AssemblyNumber) is \(task.Status): picking needs an AUTHORISED or IN PROGRESS task.")
        }
        var check = Cin7Validation()
        let status = assemblyStatus(input.Status, allowed: ["AUTHORISED", "IN PROGRESS", "COMPLETED"], check: &check)
        if task.Status == "AUTHORISED", let code = input.WIPAccount?.value { task.WIPAccount = ledgerAccount(code, "WIPAccount", check: &check) }
        if let day = check.day(input.WIPDate, "WIPDate"), task.Status == "AUTHORISED" { task.WIPDate = day }
        if let day = check.day(input.CompletionDate, "CompletionDate") { task.CompletionDate = day }
        if let code = input.Account?.value { task.Account = ledgerAccount(code, "Account", check: &check) }
        try check.finish()
        // "If Status is COMPLETED but task's WIPDate/CompletionDate is empty, current date will be set" (apib:2568).
        if status == "COMPLETED" {
            task.WIPDate = task.WIPDate ?? Cin7Day(date: now())
            task.CompletionDate = task.CompletionDate ?? Cin7Day(date: now())
        }
        try advance(&task, to: status)
        finishedGoods.put(task)
        return finishedGoods.json(task.key) ?? []
    }

    /// Runs the steps from the task's status up to `status`: pick at IN PROGRESS, produce at COMPLETED.
    private func advance(_ task: inout Cin7FinishedGoods, to status: String) throws(Cin7Failure) {
        let from = Cin7FinishedGoods.steps.firstIndex(of: task.Status) ?? 0
        let to = Cin7FinishedGoods.steps.firstIndex(of: status) ?? 0
        if from < 2 && to >= 2 {
            var check = Cin7Validation()
            check.check(!task.OrderLines.isEmpty, "Finished goods \(task.AssemblyNumber) has no components to pick.")
            for line in task.OrderLines {
                let held = onHand(line.ProductID, at: task.Location)
                check.check(held >= line.TotalQuantity, "Not enough stock of \(line.ProductCode) at \(task.Location): \(line.TotalQuantity) to pick, \(held) on hand.")
            }
            try check.finish()
            let wipDate = task.WIPDate ?? Cin7Day(date: now())
            task.WIPDate = wipDate
            task.PickLines = task.OrderLines.map { line in
                let unit = products[line.ProductID]?.UOM ?? line.Unit
                let cost = moveStock(line.ProductID, at: task.Location, onHand: -line.TotalQuantity)
                return .init(ProductID: line.ProductID, ProductCode: line.ProductCode, Name: line.Name, Quantity: line.TotalQuantity, Unit: unit,
                             Cost: Cin7Number.rounded(cost * line.TotalQuantity, places: 2))
            }
            for i in task.OrderLines.indices { task.OrderLines[i].TotalCost = task.PickLines[i].Cost }
            task.Transactions = task.PickLines.map { line in
                posting(debit: task.WIPAccount, credit: inventoryAccount(line.ProductID), amount: line.Cost, on: wipDate,
                        "\(task.AssemblyNumber) component \(line.ProductCode)")
            }
        }
        if from < 3 && to == 3 {
            let completion = task.CompletionDate ?? Cin7Day(date: now())
            task.CompletionDate = completion
            let total = task.pickedCost
            moveStock(task.ProductID, at: task.Location, onHand: task.Quantity, unitCost: Cin7Number.rounded(total / task.Quantity, places: 4))
            task.Transactions.append(posting(debit: task.Account, credit: task.WIPAccount, amount: total, on: completion,
                                             "\(task.AssemblyNumber) assembled \(task.ProductCode)"))
        }
        task.Status = status
    }

    /// `DELETE ?ID=&Void=`: undo removes a DRAFT or takes a later task back to
    /// DRAFT; void voids it. Either way picked components return and a produced assembly leaves.
    func deleteFinishedGoods(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var task = try assembly(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard task.Status != "VOIDED" else { throw .badRequest("Finished goods \(task.AssemblyNumber) is already voided.") }
        if !void && task.Status == "DRAFT" {
            let json = finishedGoods.json(task.key) ?? []
            finishedGoods.remove(task.key)
            return json
        }
        if task.Status == "COMPLETED" {
            let held = onHand(task.ProductID, at: task.Location)
            guard held >= task.Quantity else {
                throw .badRequest("Not enough stock of \(task.ProductCode) at \(task.Location) to take the assembly back: \(task.Quantity) assembled, \(held) on hand.")
            }
            moveStock(task.ProductID, at: task.Location, onHand: -task.Quantity)
        }
        for line in task.PickLines {
            moveStock(line.ProductID, at: task.Location, onHand: line.Quantity, unitCost: line.Quantity > 0 ? line.Cost / line.Quantity : 0)
        }
        task.PickLines = []
        task.Transactions = []
        task.Status = void ? "VOIDED" : "DRAFT"
        finishedGoods.put(task)
        return finishedGoods.json(task.key) ?? []
    }

    // MARK: shared with disassembly

    func assemblyStatus(_ value: String?, allowed: [String], check: inout Cin7Validation) -> String {
        let status = check.required(value, "Status").uppercased()
        check.check(status.isEmpty || allowed.contains(status), "Status '\(value ?? "")' is not valid. Use \(allowed.joined(separator: ", ")).")
        return status
    }

    func assembledProduct(_ input: Cin7AssemblyInput, check: inout Cin7Validation) -> Cin7Product? {
        let product = input.ProductID.flatMap { products[$0] } ?? input.ProductCode.flatMap { code in products.all.first { $0.SKU.cin7Equals(code) } }
        guard let product else {
            check.fail(input.ProductID == nil && input.ProductCode == nil ? "Required attribute ProductID or ProductCode is not provided."
                                                                          : "Product \(input.ProductID ?? input.ProductCode ?? "") not found.")
            return nil
        }
        check.check(product.isStock, "\(product.SKU) is not a stock product.")
        return product
    }

    func ledgerAccount(_ code: String?, _ field: String, check: inout Cin7Validation) -> String {
        let code = check.required(code, field)
        check.check(code.isEmpty || accounts[code]?.isActive == true, "\(field) '\(code)' not found or not ACTIVE.")
        return code
    }

    func positiveQuantity(_ value: LenientDecimal?, check: inout Cin7Validation) -> Decimal {
        guard let quantity = value?.value else {
            check.fail("Required attribute Quantity is not provided.")
            return 0
        }
        check.check(quantity > 0, "Quantity must be greater than 0.")
        return quantity
    }

    /// The components for `quantity` assemblies: from the bill of materials
    /// when the product has one, else from the lines sent (quantities per assembly).
    func assemblyComponents(_ inputs: [Cin7AssemblyInput.Component]?, of product: Cin7Product, quantity: Decimal,
                            check: inout Cin7Validation) -> [Cin7FinishedGoods.OrderLine] {
        let wanted: [(id: String?, code: String?, quantity: Decimal?, percent: Decimal, extra: Decimal)]
        if let inputs, !inputs.isEmpty {
            wanted = inputs.map { ($0.ProductID, $0.ProductCode, $0.Quantity?.value, $0.WastagePercent?.value ?? 0, $0.WastageQuantity?.value ?? 0) }
        } else if !product._bomProducts.isEmpty {
            wanted = product._bomProducts.map { ($0.ComponentProductID, nil, $0.Quantity, $0.WastagePercent, $0.WastageQuantity) }
        } else {
            check.fail("\(product.SKU) has no bill of materials: send its components as OrderLines.")
            return []
        }
        var lines: [Cin7FinishedGoods.OrderLine] = []
        for (index, line) in wanted.enumerated() {
            let label = "OrderLines[\(index)]"
            let component = line.id.flatMap { products[$0] } ?? line.code.flatMap { code in products.all.first { $0.SKU.cin7Equals(code) } }
            guard let component else {
                check.fail("\(label): product \(line.id ?? line.code ?? "(no ProductID or ProductCode)") not found.")
                continue
            }
            check.check(component.isStock, "\(label): \(component.SKU) is not a stock product; service components are not supported by the sandbox.")
            check.check(component.ID != product.ID, "\(label): \(component.SKU) cannot be a component of itself.")
            guard let perUnit = line.quantity else {
                check.fail("Required attribute \(label).Quantity is not provided.")
                continue
            }
            check.check(perUnit > 0, "\(label).Quantity must be greater than 0.")
            check.check(line.percent >= 0 && line.extra >= 0, "\(label): wastage must not be negative.")
            check.check(line.percent == 0 || line.extra == 0, "\(label): WastagePercent and WastageQuantity are mutually exclusive.")
            let total = Cin7Number.rounded(perUnit * quantity * (100 + line.percent) / 100 + line.extra * quantity, places: 4)
            lines.append(.init(ProductID: component.ID, ProductCode: component.SKU, Name: component.Name, Quantity: perUnit, Unit: component.UOM,
                               WastagePercent: line.percent, WastageQuantity: line.extra, TotalQuantity: total, TotalCost: 0, ExpenseAccount: nil))
        }
        return lines
    }

    /// The same components for a new assembly quantity.
    private func rescaled(_ lines: [Cin7FinishedGoods.OrderLine], quantity: Decimal) -> [Cin7FinishedGoods.OrderLine] {
        lines.map { line in
            var line = line
            line.TotalQuantity = Cin7Number.rounded(line.Quantity * quantity * (100 + line.WastagePercent) / 100 + line.WastageQuantity * quantity, places: 4)
            return line
        }
    }
}
