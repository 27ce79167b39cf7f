import Foundation

/// `/disassemblyList`, `/disassembly` (GET by `TaskID`, POST, DELETE
/// `?ID=&Void=`) and `/disassembly/order` (POST moves the task on). The
/// components come from the `OrderLines` sent or the product's bill of
/// materials; their share of the assembly's cost is the `Cost` sent, or else
/// in proportion to each component's average cost (equal shares when none has one).
extension Cin7Company {
    static let disassembliesKey = "Disassemblies"

    func listDisassemblies(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let status = Cin7Query.text(request, "Status")
        let search = Cin7Query.text(request, "Search")
        let (page, limit) = try Cin7Query.paging(request)
        let rows = disassemblies.all.map(Cin7DisassemblyRow.init).filter { row in
            (status.map(row.Status.cin7Equals) ?? true)
                && (search.map { text in [row.DisassemblyNumber, row.Location, row.Status, row.ProductName, row.ProductCode].contains { $0.cin7Contains(text) } } ?? true)
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.disassembliesKey, items, total: rows.count, page: page)
    }

    private func disassembly(_ id: String?, _ field: String) throws(Cin7Failure) -> Cin7Disassembly {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let task = disassemblies[id] else { throw .badRequest("Disassembly with specified \(field) not found.") }
        return task
    }

    func getDisassembly(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        disassemblies.json(try disassembly(Cin7Query.guid(request, "TaskID"), "TaskID").key) ?? []
    }

    func createDisassembly(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var check = Cin7Validation()
        let status = disassemblyStatus(input.Status, allowed: Cin7Disassembly.steps, check: &check)
        let product = assembledProduct(input, check: &check)
        let location = taskLocation(id: input.LocationID, name: input.Location, check: &check)
        let wip = ledgerAccount(input.WIPAccount?.value, "WIPAccount", check: &check)
        let quantity = positiveQuantity(input.Quantity, check: &check)
        try check.finish()
        var task = Cin7Disassembly(TaskID: newID(), DisassemblyNumber: nextNumber("DS"), ProductID: product!.ID,
                                   ProductCode: product!.SKU, ProductName: product!.Name, LocationID: location!.id, Location: location!.name,
                                   WIPAccount: wip, Quantity: quantity, AssemblyInstructionURL: product!.AssemblyInstructionURL,
                                   CompletionDate: check.day(input.CompletionDate, "CompletionDate"), _created: stamp())
        if input.OrderLines != nil || status == "COMPLETED" { task.OrderLines = disassemblyComponents(input.OrderLines, of: product!, quantity: quantity, check: &check) }
        try check.finish()
        try advance(&task, to: status)
        disassemblies.put(task)
        return disassemblies.json(task.key) ?? []
    }

    /// `POST /disassembly/order`: the components, and `Status` WORK IN PROGRESS or COMPLETED.
    func postDisassemblyOrder(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7AssemblyInput.self, from: request.body).get()
        var task = try disassembly(input.TaskID, "TaskID")
        guard ["DRAFT", "WORK IN PROGRESS"].contains(task.Status) else {
            throw .badRequest("Disassembly \(task.DisassemblyNumber) is \(task.Status): its order can be changed while DRAFT or WORK IN PROGRESS.")
        }
        var check = Cin7Validation()
        let status = disassemblyStatus(input.Status, allowed: ["WORK IN PROGRESS", "COMPLETED"], check: &check)
        if input.OrderLines != nil || task.OrderLines.isEmpty {
            task.OrderLines = disassemblyComponents(input.OrderLines, of: products[task.ProductID]!, quantity: task.Quantity, check: &check)
        }
        if let day = check.day(input.CompletionDate, "CompletionDate") { task.CompletionDate = day }
        try check.finish()
        try advance(&task, to: status)
        disassemblies.put(task)
        return disassemblies.json(task.key) ?? []
    }

    /// `WORK IN PROGRESS` (and `IN PROGRESS`, the POST table's spelling, apib:1612) are one status.
    private func disassemblyStatus(_ value: String?, allowed: [String], check: inout Cin7Validation) -> String {
        let status = value?.uppercased() == "IN PROGRESS" ? "WORK IN PROGRESS" : value
        return assemblyStatus(status, allowed: allowed, check: &check)
    }

    private func disassemblyComponents(_ inputs: [Cin7AssemblyInput.Component]?, of product: Cin7Product, quantity: Decimal,
                                       check: inout Cin7Validation) -> [Cin7Disassembly.OrderLine] {
        let parts = assemblyComponents(inputs, of: product, quantity: quantity, check: &check)
        let costs = inputs.map { $0.map { $0.Cost?.value } } ?? []
        for (index, cost) in costs.enumerated() { check.check((cost ?? 0) >= 0, "OrderLines[\(index)].Cost must not be negative.") }
        return parts.enumerated().map { index, part in
            let cost = index < costs.count ? costs[index] : nil
            return .init(ProductID: part.ProductID, ProductCode: part.ProductCode, Name: part.Name, Unit: part.Unit,
                         Account: inventoryAccount(part.ProductID), Quantity: part.TotalQuantity, Cost: cost ?? 0, _costGiven: cost != nil)
        }
    }

    private func advance(_ task: inout Cin7Disassembly, to status: String) throws(Cin7Failure) {
        let from = Cin7Disassembly.steps.firstIndex(of: task.Status) ?? 0
        let to = Cin7Disassembly.steps.firstIndex(of: status) ?? 0
        let today = Cin7Day(date: now())
        if from < 1 && to >= 1 {
            let held = onHand(task.ProductID, at: task.Location)
            guard held >= task.Quantity else {
                throw .badRequest("Not enough stock of \(task.ProductCode) at \(task.Location): \(task.Quantity) to disassemble, \(held) on hand.")
            }
            let unit = moveStock(task.ProductID, at: task.Location, onHand: -task.Quantity)
            let total = Cin7Number.rounded(unit * task.Quantity, places: 2)
            task.PickLines = [.init(Date: today, BatchSN: "", Available: held - task.Quantity, UnitCost: unit, Quantity: task.Quantity, TotalCost: total)]
            task.Transactions = [posting(debit: task.WIPAccount, credit: inventoryAccount(task.ProductID), amount: total, on: today,
                                         "\(task.DisassemblyNumber) picked \(task.ProductCode)")]
        }
        if from < 2 && to == 2 {
            guard !task.OrderLines.isEmpty else { throw .badRequest("Disassembly \(task.DisassemblyNumber) has no components to put on hand.") }
            share(&task)
            let completion = task.CompletionDate ?? today
            task.CompletionDate = completion
            for line in task.OrderLines {
                moveStock(line.ProductID, at: task.Location, onHand: line.Quantity, unitCost: Cin7Number.rounded(line.Cost / line.Quantity, places: 4))
                task.Transactions.append(posting(debit: line.Account, credit: task.WIPAccount, amount: line.Cost, on: completion,
                                                 "\(task.DisassemblyNumber) component \(line.ProductCode)"))
            }
        }
        task.Status = status
    }

    /// Costs not given share what is left of the picked cost, by average cost × quantity.
    private func share(_ task: inout Cin7Disassembly) {
        let given = task.OrderLines.filter(\._costGiven).reduce(Decimal(0)) { $0 + $1.Cost }
        let open = task.OrderLines.indices.filter { !task.OrderLines[$0]._costGiven }
        guard !open.isEmpty else { return }
        let left = max(task.pickedCost - given, 0)
        let weights = open.map { (products[task.OrderLines[$0].ProductID]?.AverageCost ?? 0) * task.OrderLines[$0].Quantity }
        let sum = weights.reduce(0, +)
        var remaining = left
        for (n, i) in open.enumerated() {
            // The last line takes what rounding left, so the shares add up to the picked cost.
            let cost = n == open.count - 1 ? remaining
                : Cin7Number.rounded(sum > 0 ? left * weights[n] / sum : left / Decimal(open.count), places: 2)
            task.OrderLines[i].Cost = cost
            remaining -= cost
        }
    }

    func deleteDisassembly(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var task = try disassembly(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard task.Status != "VOIDED" else { throw .badRequest("Disassembly \(task.DisassemblyNumber) is already voided.") }
        if !void && task.Status == "DRAFT" {
            let json = disassemblies.json(task.key) ?? []
            disassemblies.remove(task.key)
            return json
        }
        if task.Status == "COMPLETED" {
            var check = Cin7Validation()
            for line in task.OrderLines {
                let held = onHand(line.ProductID, at: task.Location)
                check.check(held >= line.Quantity, "Not enough stock of \(line.ProductCode) at \(task.Location) to take the disassembly back: \(held) on hand.")
            }
            try check.finish()
            for line in task.OrderLines { moveStock(line.ProductID, at: task.Location, onHand: -line.Quantity) }
        }
        for line in task.PickLines { moveStock(task.ProductID, at: task.Location, onHand: line.Quantity, unitCost: line.UnitCost) }
        task.PickLines = []
        task.Transactions = []
        task.Status = void ? "VOIDED" : "DRAFT"
        disassemblies.put(task)
        return disassemblies.json(task.key) ?? []
    }
}
